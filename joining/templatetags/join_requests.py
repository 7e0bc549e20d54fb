"""{% join_requests_section %}: the Users page's pending requests to join, for those who may
answer them. No query at all while the account does not take requests (the default)."""

from django import template

from joining.selectors import pending_join_requests
from joining.services import ANSWER_PERMISSION

register = template.Library()


@register.inclusion_tag("joining/_users_section.html", takes_context=True)
def join_requests_section(context):
    account, membership = context.get("account"), context.get("membership")
    if account is None or membership is None or not account.join_requests_enabled:
        return {"shown": False}
    if not membership.can(ANSWER_PERMISSION):
        return {"shown": False}
    return {"shown": True, "account": account, "requests": list(pending_join_requests(account))}

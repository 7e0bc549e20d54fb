"""{% ownership_transfer_banner %}: on account pages, the waiting transfer of ownership, for
the Admin it is offered to (review it) and the Owner who offered it (cancel it)."""

from django import template

from transfers.selectors import pending_transfer_involving

register = template.Library()


@register.inclusion_tag("transfers/_banner.html", takes_context=True)
def ownership_transfer_banner(context):
    account = context.get("account")
    request = context.get("request")
    user = getattr(request, "user", None)
    if account is None or user is None:
        return {"transfer": None}
    transfer = pending_transfer_involving(account, user)
    return {
        "transfer": transfer,
        "account": account,
        "offered_to_me": transfer is not None and transfer.to_user_id == user.pk,
    }

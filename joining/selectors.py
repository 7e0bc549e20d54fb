"""Reads of join links and requests that several pages share."""

from django.db.models import Exists, OuterRef

from invitations.tokens import digests_match
from joining.models import JoinLink, JoinRequest
from memberships.models import Membership


def join_link_of(account) -> JoinLink | None:
    return JoinLink.objects.filter(account=account).first()


def link_for_token_hash(token_hash: str) -> JoinLink | None:
    """The join link with this digest (with its account), whatever the account's switch;
    None if none."""
    if not token_hash:
        return None
    link = JoinLink.objects.select_related("account").filter(token_hash=token_hash).first()
    if link is None or not digests_match(link.token_hash, token_hash):
        return None
    return link


def pending_join_requests(account):
    """The account's requests waiting for an answer, oldest first, with their people (one
    query). A person who joined meanwhile (by an invitation) is left out: their request has
    nothing left to answer, and the expiry job closes it."""
    joined = Membership.objects.filter(account=account, user_id=OuterRef("user_id"))
    return (
        JoinRequest.objects.pending()
        .filter(account=account)
        .exclude(Exists(joined))
        .select_related("user")
        .order_by("created_at", "id")
    )


def pending_request_of(account, user) -> JoinRequest | None:
    return JoinRequest.objects.pending().filter(account=account, user_id=user.pk).first()

"""Reads of invitations that several pages share."""

from django.db.models import FETCH_PEERS, Exists, OuterRef

from accounts.models import Account
from invitations.models import Invitation, InvitationStatus
from invitations.tokens import digests_match
from memberships.models import Membership
from memberships.selectors import subquery_count


def seats_used(account) -> int:
    """Active members, suspended members and pending invitations all take a seat (one query)."""
    row = (
        Account.objects.filter(pk=account.pk)
        .values(
            seat_members=subquery_count(Membership.objects.filter(account=account)),
            seat_invitations=subquery_count(Invitation.objects.pending().filter(account=account)),
        )
        .get()
    )
    return row["seat_members"] + row["seat_invitations"]


def seats_left(account) -> int | None:
    """None when the plan has unlimited seats."""
    seats = account.plan_info.seats
    return None if seats is None else max(seats - seats_used(account), 0)


def pending_invitation_count(account) -> int:
    """Invitations that hold a seat: pending and not past their expiry."""
    return Invitation.objects.pending().filter(account=account).count()


def pending_invitations(account, *, q: str = ""):
    """Pending invitations of `account` for the Users page, newest first; only those whose
    email contains `q` (any case) when given.

    Expired ones are listed too (with a one-click Resend) unless a newer invitation to the
    same address replaced them. One query, whatever the number of rows.
    """
    newer = Invitation.objects.filter(
        account=OuterRef("account"), email=OuterRef("email"), created_at__gt=OuterRef("created_at")
    )
    invitations = Invitation.objects.filter(
        account=account, status__in=[InvitationStatus.PENDING, InvitationStatus.EXPIRED]
    )
    if q:
        invitations = invitations.filter(email__icontains=q)
    return (
        invitations.alias(superseded=Exists(newer))
        .exclude(status=InvitationStatus.EXPIRED, superseded=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
        .fetch_mode(FETCH_PEERS)  # an unloaded relation costs one query per page, not per row
    )


def invitation_for_token_hash(token_hash: str) -> Invitation | None:
    """The invitation whose current link has this digest, in any status; None if none."""
    if not token_hash:
        return None
    invitation = (
        Invitation.objects.select_related("account", "invited_by")
        .filter(token_hash=token_hash)
        .first()
    )
    if invitation is None or not digests_match(invitation.token_hash, token_hash):
        return None
    return invitation

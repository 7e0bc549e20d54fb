"""Reads shared by the Users page, invitations and billing."""

from memberships.models import Membership


def seats_used(account) -> int:
    """Active members, suspended members and pending invitations all take a seat."""
    from invitations.selectors import pending_invitation_count

    return Membership.objects.filter(account=account).count() + pending_invitation_count(account)


def seats_left(account) -> int | None:
    """None when the plan has unlimited seats."""
    seats = account.plan_info.seats
    return None if seats is None else max(seats - seats_used(account), 0)

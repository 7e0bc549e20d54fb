"""Reads of invitations (STUB until the invitations work lands: no invitation model yet)."""


def pending_invitation_count(account) -> int:
    return 0


def pending_invitations(account):
    """Pending invitations of `account` for the Users page, newest first."""
    return []

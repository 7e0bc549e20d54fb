"""Invitation state changes (STUB: filled in by the invitations work)."""


def cancel_invitations_sent_by(*, account, user, actor) -> int:
    """Cancel the pending invitations `user` sent in `account` (called when they are revoked).

    Runs inside the caller's transaction. Returns how many were cancelled.
    """
    return 0

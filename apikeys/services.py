"""API key state changes (STUB: filled in by the security work)."""


def delete_keys_of(*, account, user, actor) -> int:
    """Delete the API keys `user` created in `account` (on revoke, leave, or demotion below
    Admin). Runs inside the caller's transaction. Returns how many were deleted."""
    return 0

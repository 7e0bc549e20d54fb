"""Notifications to an account's Owners and Admins (STUB: filled in by the settings work)."""


def notify_member_event(
    *, account, event: str, subject_user, actor=None, old_level: str = "", new_level: str = ""
) -> None:
    """Tell the Owners/Admins of `account` who opted in that `subject_user` joined, left, or
    changed level (`event` is "joined", "left" or "level_changed").

    Call inside the service's transaction; emails go out through the task queue on commit.
    """
    return None

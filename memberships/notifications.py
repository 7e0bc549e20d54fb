"""Notifications to an account's Owners and Admins when members join, leave or change level."""

from django.db.models import Q
from django.urls import reverse

from accounts.emails import queue_email
from accounts.roles import label as role_label
from memberships.models import Membership
from memberships.permissions import roles_with_permission

EVENTS = {
    "joined": ("on_joined", "joined"),
    "left": ("on_left", "left"),
    "removed": ("on_left", "was removed from"),
    "level_changed": ("on_level_changed", "changed level in"),
}
# Who hears about member events: the levels that may see the Users page (Owner and Admin).
NOTIFIED_PERMISSION = "members.view"


def notification_recipients(*, account, event: str, exclude_user_ids=()):
    """Active Owners/Admins of `account` who want `event` emails (no preference row = yes)."""
    field, _verb = EVENTS[event]
    return (
        Membership.objects.active()
        .filter(
            account=account,
            role__in=roles_with_permission(NOTIFIED_PERMISSION, account=account),
        )
        .filter(
            Q(notification_preference__isnull=True)
            | Q(**{f"notification_preference__{field}": True})
        )
        .exclude(user_id__in=[pk for pk in exclude_user_ids if pk is not None])
        .select_related("user")
        .order_by("user__email")
    )


def notify_member_event(
    *, account, event: str, subject_user, actor=None, old_level: str = "", new_level: str = ""
) -> None:
    """Tell the Owners/Admins of `account` who opted in that `subject_user` joined, left, or
    changed level (`event` is "joined", "left" or "level_changed").

    The actor is never told about their own action, and the subject is not sent the
    Owner/Admin notice about themself: the member whose level changed is always told by
    people.services.change_level's own notice, whatever their settings. Call inside the
    service's transaction; emails go out through the task queue on commit, one per recipient
    so nobody sees the others' addresses.
    """
    if event not in EVENTS:
        raise ValueError(f"Unknown member event {event!r}.")
    _field, verb = EVENTS[event]
    actor_id = getattr(actor, "pk", None)
    context = {
        "account_name": account.name,
        "event": event,
        "verb": verb,
        "subject_name": subject_user.display_name,
        "subject_email": subject_user.email,
        "actor_name": actor.display_name if actor_id else "",
        "old_level": role_label(old_level) if old_level else "",
        "new_level": role_label(new_level) if new_level else "",
        "users_path": _users_path(account),
        "settings_path": reverse("notification_settings"),
    }
    recipients = notification_recipients(
        account=account, event=event, exclude_user_ids=(actor_id, subject_user.pk)
    )
    for membership in recipients:
        queue_email(to=membership.user.email, template="notify_member_event", context=context)


def _users_path(account) -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("people:users", kwargs={"slug": account.slug})
    except NoReverseMatch:
        return reverse("overview", kwargs={"slug": account.slug})

"""Writing the activity log. Call inside the service's transaction."""

from audit.models import ActivityEvent
from config.request_context import current_ip


def record_event(
    *,
    account,
    actor,
    action: str,
    target_user=None,
    target_label: str = "",
    old_value: str = "",
    new_value: str = "",
    ip_address: str | None = None,
) -> ActivityEvent:
    return ActivityEvent.objects.create(
        account=account,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action,
        target_user=target_user,
        target_label=target_label or (target_user.email if target_user is not None else ""),
        old_value=str(old_value or ""),
        new_value=str(new_value or ""),
        ip_address=ip_address if ip_address is not None else current_ip(),
    )

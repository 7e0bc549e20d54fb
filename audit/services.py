"""Writing the activity log. Call inside the service's transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from audit.models import ActivityEvent
from config.request_context import current_ip

# Set by a door that acts for someone (SCIM acts with its token creator's access): every row
# the services write meanwhile names it, without each service passing it along.
_actor_label: ContextVar[str] = ContextVar("roster_actor_label", default="")


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Rows recorded inside the block carry `label` as the actor's label."""
    token = _actor_label.set(label)
    try:
        yield
    finally:
        _actor_label.reset(token)


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
        actor_label=_actor_label.get(),
        action=action,
        target_user=target_user,
        target_label=target_label or (target_user.email if target_user is not None else ""),
        old_value=str(old_value or ""),
        new_value=str(new_value or ""),
        ip_address=ip_address if ip_address is not None else current_ip(),
    )

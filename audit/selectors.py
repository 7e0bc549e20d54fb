import datetime

from django.db.models import Q
from django.utils import timezone

from audit.models import ActivityEvent

# The people named on a row: name and email, read in the same query as the rows.
PERSON_FIELDS = ("first_name", "last_name", "email")


def activity_page(
    account,
    *,
    person: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    """Newest first; `person` matches who did it or to whom (email, case-insensitive);
    `date_from` and `date_to` are whole days, both included, in the current time zone (the
    viewer's). Each row's actor and target user come with it (no query per row)."""
    events = (
        ActivityEvent.objects.filter(account=account)
        .select_related("actor", "target_user")
        .only(
            *(f.name for f in ActivityEvent._meta.concrete_fields),
            *(f"actor__{name}" for name in PERSON_FIELDS),
            *(f"target_user__{name}" for name in PERSON_FIELDS),
        )
    )
    if person:
        events = events.filter(Q(actor_email__icontains=person) | Q(target_label__icontains=person))
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to is not None:
        events = events.filter(created_at__lt=_start_of(date_to + datetime.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

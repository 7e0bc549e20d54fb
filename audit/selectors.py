from django.db.models import Q

from audit.models import ActivityEvent


def activity_page(account, *, person: str = "", action: str = ""):
    """Newest first; `person` matches who did it or to whom (email, case-insensitive)."""
    events = ActivityEvent.objects.filter(account=account)
    if person:
        events = events.filter(Q(actor_email__icontains=person) | Q(target_label__icontains=person))
    if action:
        events = events.filter(action=action)
    return events.order_by("-created_at", "-id")

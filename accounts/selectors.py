from memberships.models import Membership


def open_memberships(user):
    """The user's active memberships in accounts that are not closed, by account name."""
    return (
        Membership.objects.active()
        .filter(user=user, account__closed_at__isnull=True)
        .select_related("account")
        .order_by("account__name")
    )

from memberships.models import Membership


def open_memberships(user):
    """The user's active memberships in accounts that are not closed, by account name."""
    return (
        Membership.objects.active()
        .filter(user=user, account__closed_at__isnull=True)
        .select_related("account")
        .order_by("account__name")
    )


def closed_accounts_owned_by(user):
    """Closed accounts `user` owns (and may reopen until they are purged)."""
    from memberships.roles import Role

    return (
        Membership.objects.filter(user=user, role=Role.OWNER, account__closed_at__isnull=False)
        .select_related("account")
        .order_by("account__name")
    )

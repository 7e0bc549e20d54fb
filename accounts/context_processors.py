from accounts.navigation import sidebar_for


def shell(request):
    """Header and sidebar data: the current account, the switcher, the sidebar links."""
    membership = getattr(request, "membership", None)
    context = {}
    if membership is not None:
        context["current_account"] = membership.account
        context["current_membership"] = membership
        context["sidebar"] = sidebar_for(membership, request.path)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["switcher_memberships"] = lambda: list(
            user.memberships.active()
            .filter(account__closed_at__isnull=True)
            .select_related("account")
            .order_by("account__name")
        )
    return context

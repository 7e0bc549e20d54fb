from django.conf import settings

from memberships.navigation import sidebar_for


def shell(request):
    """Header and sidebar data: the product's name (PRODUCT_NAME, as in its emails), the current
    account, the switcher, the sidebar links."""
    membership = getattr(request, "membership", None)
    context = {"product_name": settings.PRODUCT_NAME}
    if membership is not None:
        context["current_account"] = membership.account
        context["current_membership"] = membership
        context["sidebar"] = sidebar_for(membership, request.path)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["switcher_memberships"] = lambda: switcher_memberships(request, user)
    return context


def switcher_memberships(request, user) -> list:
    """The accounts the header's switcher offers: open accounts where the person is active.

    Account pages have already loaded these rows (memberships.mixins.load_membership).
    """
    loaded = getattr(request, "active_memberships", None)
    if loaded is not None:
        return [m for m in loaded if m.account.closed_at is None]
    return list(
        user.memberships.active()
        .filter(account__closed_at__isnull=True)
        .select_related("account")
        .order_by("account__name", "pk")
    )

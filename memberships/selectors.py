"""Reads shared by the Users page, invitations and billing."""

from memberships.models import Membership


def seats_used(account) -> int:
    """Active members, suspended members and pending invitations all take a seat.

    One query (two counting subqueries), so pages that show seats stay within their budget.
    """
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from accounts.models import Account
    from invitations.models import Invitation

    def count_of(queryset):
        counted = queryset.filter(account=OuterRef("pk")).order_by().values("account")
        return Coalesce(
            Subquery(counted.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            0,
        )

    members, invitations = (
        Account.objects.filter(pk=account.pk)
        .annotate(m=count_of(Membership.objects.all()), i=count_of(Invitation.objects.pending()))
        .values_list("m", "i")
        .get()
    )
    return members + invitations


def seats_left(account) -> int | None:
    """None when the plan has unlimited seats."""
    seats = account.plan_info.seats
    return None if seats is None else max(seats - seats_used(account), 0)


def members_page(account, *, q: str = "", level: str = "", status: str = ""):
    """Members of `account` for the Users page: one query per page, whatever its size.

    Carries the user (select_related) and a `has_2fa` flag (an EXISTS subquery), so the
    template touches no other table.
    """
    from allauth.mfa.models import Authenticator
    from django.db.models import Exists, OuterRef, Q

    members = (
        Membership.objects.filter(account=account)
        .select_related("user")
        .annotate(
            has_2fa=Exists(
                Authenticator.objects.filter(
                    user_id=OuterRef("user_id"),
                    type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
                )
            )
        )
    )
    if q:
        members = members.filter(
            Q(user__email__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__last_name__icontains=q)
        )
    if level:
        members = members.filter(role=level)
    if status:
        members = members.filter(status=status)
    return members.order_by("user__email", "pk")

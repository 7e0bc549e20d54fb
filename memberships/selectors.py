"""Reads of memberships that several pages share."""

from django.db.models import Count, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.roles import Role
from memberships.models import Membership, MembershipStatus


def subquery_count(queryset):
    """`queryset`'s number of rows as an expression (a COUNT subquery; 0 when none), so one
    query can read several counts: `Account.objects.filter(pk=...).values(a=..., b=...)`."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one")
    counted = counted.annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def open_memberships(user):
    """The user's active memberships in accounts that are not closed, by account name."""
    return (
        Membership.objects.active()
        .filter(user=user, account__closed_at__isnull=True)
        .select_related("account")
        .order_by("account__name")
    )


def suspended_memberships(user):
    """The user's suspended memberships in open accounts, by account name."""
    return (
        Membership.objects.filter(user=user, account__closed_at__isnull=True)
        .exclude(status=MembershipStatus.ACTIVE)
        .select_related("account")
        .order_by("account__name")
    )


def closed_accounts_owned_by(user):
    """Closed accounts `user` owns (and may reopen until they are purged)."""
    return (
        Membership.objects.filter(user=user, role=Role.OWNER, account__closed_at__isnull=False)
        .select_related("account")
        .order_by("account__name")
    )


# Email order, by the membership's copy of its user's email that triggers keep (memberships
# migration 0002 on PostgreSQL, config/sqlite_triggers.py on SQLite): a page is a range of the
# index membership_email_order (account, user_email, id).
MEMBER_ORDER = ("user_email", "pk")


def members_page(account, *, q: str = "", level: str = "", status: str = ""):
    """Members of `account` for the Users page, in email order; narrow rows to page through.

    A page is a range of one index however many members the account has (`MEMBER_ORDER`).
    Pass the page's slice to `member_rows` for what the table shows.
    """
    from django.db.models import Q

    members = Membership.objects.filter(account=account)
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
    return members.order_by(*MEMBER_ORDER)


def member_rows(page_of_members):
    """The members of one page (a slice of `members_page`) with what the table shows.

    One query: the slice becomes an `id IN (...)` subquery, so PostgreSQL skips earlier
    pages on the narrow index alone and joins users and 2FA only for these rows.
    Each member carries the user (select_related) and a `has_2fa` flag. FETCH_PEERS: should
    a template ever touch a relation not loaded here, the page's rows load it in one query
    between them, not one each (Django 6.1 fetch modes).
    """
    from allauth.mfa.models import Authenticator
    from django.db.models import FETCH_PEERS, Exists, OuterRef

    rows = Membership.objects.filter(pk__in=page_of_members.values("pk"))
    return (
        rows.select_related("user")
        .annotate(
            has_2fa=Exists(
                Authenticator.objects.filter(
                    user_id=OuterRef("user_id"),
                    type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
                )
            )
        )
        .order_by(*MEMBER_ORDER)
        .fetch_mode(FETCH_PEERS)
    )

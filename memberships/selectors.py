"""Reads of memberships that several pages share."""

from datetime import timedelta

from django.db.models import Case, Count, F, IntegerField, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import RANK, Role
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


def _level_rank():
    """Owner first: the levels' rank as a number (their names sort alphabetically)."""
    return Case(
        *(When(role=role, then=Value(rank)) for role, rank in RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


# The Users page's sorts, each a total order (the id breaks ties) that `.reverse()` mirrors
# exactly, so a page can be read from either end. What each costs on PostgreSQL:
# - email: a range of the membership_email_order index, whatever the account's size (the
#   default, and the only one a person pages through to the end of 10,000 members).
# - name, last login: the account's (filtered) members joined to their users and sorted; each
#   page sorts all of them, so it grows with the account: 6.0 ms for page 61 of 120 at 3,000
#   members against 1.0 ms in email order (EXPLAIN ANALYZE, PostgreSQL 2026-11-30); linear,
#   so some 200 ms at 100,000 (extrapolated, not measured). No index can serve a sort on
#   another table's columns; a trigger-kept copy of the name (as user_email is) would, if
#   large accounts sort by it.
# - level: the (account, role, status) index finds the rows; the rank is computed and sorted.
# - joined: sorted on created_at of the account's rows (ids grow with it, but imports may
#   back-date it, so no index on id stands in). None of these is worth an index of its own
#   at the sizes we serve; measure with `make bench` before adding one (and a migration).
MEMBER_SORTS = {
    "email": None,  # MEMBER_ORDER, read when asked (make bench swaps it for the join)
    "name": (
        F("user__first_name").asc(),
        F("user__last_name").asc(),
        F("user_email").asc(),
        F("pk").asc(),
    ),
    "level": (_level_rank().desc(), F("user_email").asc(), F("pk").asc()),
    "joined": (F("created_at").asc(), F("pk").asc()),
    "last_login": (
        F("user__last_login").asc(nulls_first=True),
        F("user_email").asc(),
        F("pk").asc(),
    ),
}


def member_order(sort: str = "email") -> tuple:
    """The order_by() arguments of `sort`: a key of MEMBER_SORTS, "-" first for descending;
    an unknown one is email order."""
    descending = sort.startswith("-")
    order = MEMBER_SORTS.get(sort.removeprefix("-")) or MEMBER_ORDER
    if not descending:
        return order
    reversed_order = []
    for term in order:
        if isinstance(term, str):
            term = F(term).asc()
        reversed_order.append(term.copy().reverse_ordering())
    return tuple(reversed_order)


# The Users page's "expires soon" filter (a status filter value): active members whose
# "access until" falls within the next 7 days (issue 20).
EXPIRES_SOON = "expires_soon"
EXPIRES_SOON_WITHIN = timedelta(days=7)


def members_page(account, *, q: str = "", level: str = "", status: str = "", sort: str = "email"):
    """Members of `account` for the Users page, in `sort` order (email by default: see
    MEMBER_SORTS for what each costs); narrow rows to page through.

    In email order a page is a range of one index however many members the account has.
    Pass the page's slice to `member_rows` (with the same `member_order(sort)`) for what the
    table shows.
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
    if status == EXPIRES_SOON:
        members = members.filter(
            status=MembershipStatus.ACTIVE,
            access_until__isnull=False,
            access_until__lte=timezone.now() + EXPIRES_SOON_WITHIN,
        ).exclude(role=Role.OWNER)
    elif status:
        members = members.filter(status=status)
    return members.order_by(*member_order(sort))


def member_rows(page_of_members, *, order=None):
    """The members of one page (a slice of `members_page`) with what the table shows.

    One query: the slice becomes an `id IN (...)` subquery, so PostgreSQL skips earlier
    pages on the narrow index alone and joins users and 2FA only for these rows.
    Each member carries the user (select_related), a `has_2fa` flag (a second factor that
    meets this account's demand: text messages only where it accepts them, as the gate
    says) and `has_any_2fa` (any second factor: something a 2FA reset would clear); `order` is the
    slice's own (`member_order(sort)`; email order by default), in which the rows come
    back. FETCH_PEERS: should a template ever touch a relation not loaded here, the page's
    rows load it in one query between them, not one each (Django 6.1 fetch modes).
    """
    from django.db.models import FETCH_PEERS, BooleanField, ExpressionWrapper, Q

    from accounts.models import TwoFactorMethods
    from memberships.access import second_factor_filter

    rows = Membership.objects.filter(pk__in=page_of_members.values("pk"))
    # The gate's definition, by each row's account: text messages count where the account
    # accepts them (sms.selectors.sms_counts_in: two_factor_methods == ANY).
    counts = second_factor_filter(sms_counts=False) | (
        second_factor_filter(sms_counts=True) & Q(account__two_factor_methods=TwoFactorMethods.ANY)
    )
    return (
        rows.select_related("user")
        .annotate(
            has_2fa=ExpressionWrapper(counts, output_field=BooleanField()),
            has_any_2fa=ExpressionWrapper(
                second_factor_filter(sms_counts=True), output_field=BooleanField()
            ),
        )
        .order_by(*(order or MEMBER_ORDER))
        .fetch_mode(FETCH_PEERS)
    )

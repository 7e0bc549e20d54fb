"""Reads shared by the Users page, invitations and billing."""

from memberships.models import Membership


def counts(**querysets) -> dict[str, int]:
    """Row counts of several querysets in one query: {name: count}.

    A page that shows seats, members and invitations asks the database once for all its
    numbers. Each queryset is compiled on its own and wrapped in `SELECT COUNT(*) FROM (...)`:
    the ORM's own subquery annotations cost about 1 ms of Python per page in relabelling
    aliases, more than the counting itself. Parameters stay parameters.
    """
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    if not querysets:
        return {}
    databases = {queryset.db for queryset in querysets.values()}
    if len(databases) != 1:
        raise ValueError(f"counts() needs querysets of one database, not {sorted(databases)}")
    database = databases.pop()
    parts, params = [], []
    for queryset in querysets.values():
        query = queryset.order_by().values("pk").query
        try:
            sql, part_params = query.get_compiler(using=database).as_sql()
        except EmptyResultSet:  # e.g. .none(), or pk__in=[]: nothing to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")  # noqa: S608 (ORM-compiled SQL)
        params.extend(part_params)
    with connections[database].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return dict(zip(querysets, row, strict=True))


def seat_querysets(account) -> dict:
    """What takes a seat: every membership (active or suspended) and pending invitations."""
    from invitations.models import Invitation

    return {
        "seat_members": Membership.objects.filter(account=account),
        "seat_invitations": Invitation.objects.pending().filter(account=account),
    }


def seats_used(account) -> int:
    """Active members, suspended members and pending invitations all take a seat (one query)."""
    return sum(counts(**seat_querysets(account)).values())


def seats_left(account) -> int | None:
    """None when the plan has unlimited seats."""
    seats = account.plan_info.seats
    return None if seats is None else max(seats - seats_used(account), 0)


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

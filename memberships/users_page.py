"""The Users page's reads, in SQL written for the page: three queries, whatever the size.

Why not the ORM here: the page is the product's busiest list, and `make bench` measured the
ORM's Python (cloning querysets, compiling filters, subqueries and joins on every request)
at about half of the page's time, more than the database spent. These statements are built
from the models' own column lists, filter exactly as the ORM selectors do (`icontains` is
spelled by the database backend, as the ORM spells it) and return model instances, so
templates and services see what they always saw. The ORM selectors they mirror stay the
definitions: `memberships.selectors.members_page` / `member_rows`, `seat_querysets` and
`invitations.selectors.pending_invitations`. tests/memberships/test_users_page_sql.py checks
that both give the same rows and numbers for every filter, page and invitation state.

1. `numbers()`: every number on the page (both tables' totals and the seats) in one query.
   The account's members and pending invitations are counts that triggers keep
   (MemberCount, PendingInvitationCount), so an unfiltered page of 10,000 members and 1,000
   invitations counts neither.
2. `member_page()`: one page of members in email order, each with its user and `has_2fa`,
   read from whichever end of the list is nearer, so the last of 400 pages costs what the
   first does. Near an end (and not searching) one join reads the page; further in, the
   page's ids are picked first on the narrow index `membership_email_order`.
3. `invitation_page()`: one page of pending (and not superseded expired) invitations,
   newest first, each with `invited_by`.

The triggers are the PostgreSQL migrations' and, on SQLite, config/sqlite_triggers.py's. On
PostgreSQL the three are prepared statements with generic plans (`config.sql.cursor`):
planning them took more of the database's time than running them. Searches and pages deep
in the list are not prepared: their best plan depends on the pattern and the offset.
"""

from dataclasses import dataclass

from django.db import connections
from django.utils import timezone

from accounts.models import User
from config.sql import columns, cursor
from invitations.models import Invitation, InvitationStatus
from memberships.models import Membership

_TWO_FACTOR_TYPES = ("totp", "webauthn")  # allauth Authenticator.Type values that are a 2FA

# What the tables, the row actions and the services' checks read; other fields are deferred
# (a template reading one would cost a query per row: the query-count tests catch that).
MEMBER_FIELDS = ("id", "user", "account", "role", "status", "created_at")
MEMBER_USER_FIELDS = ("id", "email", "first_name", "last_name", "last_login", "time_zone")
INVITATION_FIELDS = (
    *("id", "account", "email", "role", "invited_by", "created_at", "expires_at", "status"),
    "delivery_status",
)
INVITER_FIELDS = ("id", "email", "first_name", "last_name")


@dataclass(frozen=True)
class MemberFilter:
    q: str = ""
    level: str = ""
    status: str = ""

    def __bool__(self) -> bool:
        return bool(self.q or self.level or self.status)


def _connection(account):
    return connections[account._state.db or "default"]


def _member_where(connection, account, member_filter: MemberFilter) -> tuple[str, list, bool]:
    """WHERE of the account's members under the filter, its parameters, and whether it
    needs accounts_user joined as u."""
    where, params = ["m.account_id = %s"], [account.pk]
    needs_user = bool(member_filter.q)
    if member_filter.q:
        # The ORM's `user__email__icontains` etc., as this backend writes it (PostgreSQL:
        # UPPER("col"::text) LIKE UPPER(%s), the expression the trigram indexes cover).
        lhs = connection.ops.lookup_cast("icontains", "CharField")
        rhs = connection.operators["icontains"]
        pattern = f"%{connection.ops.prep_for_like_query(member_filter.q)}%"
        columns_searched = ("u.email", "u.first_name", "u.last_name")
        where.append("(" + " OR ".join(f"{lhs % col} {rhs}" for col in columns_searched) + ")")
        params += [pattern] * 3
    if member_filter.level:
        where.append("m.role = %s")
        params.append(member_filter.level)
    if member_filter.status:
        where.append("m.status = %s")
        params.append(member_filter.status)
    return " AND ".join(where), params, needs_user


# The email order: the membership's copy of its user's email, which triggers keep (memberships
# migration 0002, config/sqlite_triggers.py), so a page is a range of membership_email_order.
_ORDER_TABLE, _ORDER_COLUMN = "m", "user_email"


# Invitations the page lists: pending ones, and expired ones no newer invitation to the same
# address replaced (they get a one-click Resend).
_INVITATIONS_OF_ACCOUNT = "i.account_id = %s AND i.status IN (%s, %s)"
_NOT_SUPERSEDED = """NOT (i.status = %s AND EXISTS (
        SELECT 1 FROM invitations_invitation newer
        WHERE newer.account_id = i.account_id AND newer.email = i.email
          AND newer.created_at > i.created_at))"""


def _invitations_of_account_params(account) -> list:
    return [account.pk, InvitationStatus.PENDING.value, InvitationStatus.EXPIRED.value]


class Rows:
    """A sequence of `total` rows that a Paginator can slice: the slice runs `fetch(offset,
    limit)`, and the total is already known (no COUNT query of its own)."""

    def __init__(self, total: int, fetch):
        self.total, self.fetch = total, fetch

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list:
        if window.stop <= window.start:
            return []
        return self.fetch(window.start, window.stop - window.start)


@dataclass(frozen=True)
class Numbers:
    members: int  # under the filter
    invitations: int  # listed: pending, and expired ones no newer invitation replaced
    seats_used: int  # every membership plus pending, unexpired invitations


# The pending invitations are the count the triggers keep (PendingInvitationCount); only the
# few past their expiry (for the seats) and the expired ones (listed unless replaced) are
# counted, each from an index range of only those rows (invitation_pending_expiry; the
# account and status 'expired' of (account, status, created_at)), as EXPLAIN showed on the
# benchmark's data. The statuses are literals so that a generic plan can use the partial index.
_INVITATION_NUMBERS = f"""p.n + (
        SELECT COUNT(*) FROM invitations_invitation i
        WHERE i.account_id = %s AND i.status = '{InvitationStatus.EXPIRED.value}' AND NOT EXISTS (
            SELECT 1 FROM invitations_invitation newer
            WHERE newer.account_id = i.account_id AND newer.email = i.email
              AND newer.created_at > i.created_at)),
    p.n - (
        SELECT COUNT(*) FROM invitations_invitation i
        WHERE i.account_id = %s AND i.status = '{InvitationStatus.PENDING.value}'
          AND i.expires_at <= %s)"""  # noqa: S608 (the statuses are the enum's literals)
_PENDING = """(SELECT COALESCE((SELECT c.pending FROM invitations_pendinginvitationcount c
    WHERE c.account_id = %s), 0) AS n) AS p"""
# Everyone, for the seats (and the page when unfiltered): the count the triggers keep
# (MemberCount), so 10,000 members cost what 10 do.
_EVERYONE = "COALESCE((SELECT c.members FROM memberships_membercount c WHERE c.account_id = %s), 0)"


def numbers(account, member_filter: MemberFilter, *, now=None) -> Numbers:
    """The page's numbers in one query."""
    connection = _connection(account)
    where, where_params, needs_user = _member_where(connection, account, member_filter)
    join = " JOIN accounts_user u ON u.id = m.user_id" if needs_user else ""
    # As the ORM sends a datetime (SQLite stores text in UTC: a local `now` would compare as
    # the wrong string).
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    parts, params = [_EVERYONE], [account.pk]
    if member_filter:
        parts.append(f"(SELECT COUNT(*) FROM memberships_membership m{join} WHERE {where})")  # noqa: S608
        params += where_params
    # Literals only; values are parameters.
    sql = f"SELECT {_INVITATION_NUMBERS}, {', '.join(parts)} FROM {_PENDING}"  # noqa: S608
    # Prepared unless searching (a search's trigram match wants a plan for its own pattern).
    with cursor(connection, prepare=not member_filter.q) as statement:
        statement.execute(sql, [account.pk, account.pk, now, *params, account.pk])
        invitations, pending, everyone, *filtered = statement.fetchone()
    members = filtered[0] if member_filter else everyone
    return Numbers(members=members, invitations=invitations, seats_used=everyone + pending)


def _window(total: int, offset: int, limit: int) -> tuple[bool, int, int]:
    """(from the end?, offset, limit) reading rows [offset, offset + limit) of `total` from
    whichever end is nearer: an index scanned backwards skips fewer entries."""
    limit = max(min(limit, total - offset), 0)
    from_end = total - offset - limit
    if from_end < offset:
        return True, from_end, limit
    return False, offset, limit


DIRECT_SKIP = 100  # rows skipped (from the nearer end) up to which one join reads a page


def member_page(account, member_filter: MemberFilter, *, offset: int, limit: int, total: int):
    """Members [offset, offset + limit) of the filtered list in email order (then id), each
    with `.user` loaded and `.has_2fa`; `total` is `numbers().members`."""
    connection = _connection(account)
    backwards, skip, limit = _window(total, offset, limit)
    if limit == 0:
        return []
    where, params, needs_user = _member_where(connection, account, member_filter)
    order_table, order_column = _ORDER_TABLE, _ORDER_COLUMN
    order = "{0}.{1} {2}, {3}.id {2}"
    direction = "DESC" if backwards else "ASC"
    # The filter names the tables m and u. Near either end of the list one join reads the
    # page; further in, or when searching (the trigram match then plans better alone), the
    # page's ids are picked first (on the narrow index, on PostgreSQL), so the rows skipped
    # or searched never touch the wider columns.
    direct = skip <= DIRECT_SKIP and not member_filter.q
    outer_member, outer_user = ("m", "u") if direct else ("pm", "pu")
    member_columns = columns(connection, Membership, outer_member, MEMBER_FIELDS)
    user_columns = columns(connection, User, outer_user, MEMBER_USER_FIELDS)
    # Column names and literals only; values are parameters.
    select = (
        f"SELECT {member_columns.sql}, {user_columns.sql}, EXISTS (SELECT 1 FROM"  # noqa: S608
        f" mfa_authenticator a WHERE a.user_id = {outer_member}.user_id AND a.type IN (%s, %s))"
        " AS has_2fa"
    )
    if direct:
        sql = f"""{select}
            FROM memberships_membership m JOIN accounts_user u ON u.id = m.user_id
            WHERE {where} ORDER BY {order.format(order_table, order_column, direction, "m")}
            LIMIT %s OFFSET %s"""
    else:
        needs_user = needs_user or order_table == "u"
        join = " JOIN accounts_user u ON u.id = m.user_id" if needs_user else ""
        outer_order = order.format("p" + order_table, order_column, direction, "pm")
        sql = f"""{select}
            FROM memberships_membership pm JOIN accounts_user pu ON pu.id = pm.user_id
            WHERE pm.id IN (
                SELECT m.id FROM memberships_membership m{join} WHERE {where}
                ORDER BY {order.format(order_table, order_column, direction, "m")}
                LIMIT %s OFFSET %s)
            ORDER BY {outer_order}"""  # noqa: S608 (column names and literals only)
    # The join is prepared: its one plan (walk the email-order index) suits every account.
    with cursor(connection, prepare=direct) as statement:
        statement.execute(sql, [*_TWO_FACTOR_TYPES, *params, limit, skip])
        rows = statement.fetchall()
    if backwards:
        rows.reverse()
    split = len(member_columns.names)
    members = []
    for row in rows:
        member = member_columns.instance(Membership, connection, row[:split])
        member._state.fields_cache["user"] = user_columns.instance(User, connection, row[split:-1])
        member.has_2fa = bool(row[-1])
        members.append(member)
    return members


def invitation_page(account, *, offset: int, limit: int):
    """Listed invitations [offset, offset + limit), newest first, each with `.invited_by`."""
    connection = _connection(account)
    invitation_columns = columns(connection, Invitation, "i", INVITATION_FIELDS)
    user_columns = columns(connection, User, "u", INVITER_FIELDS)
    sql = f"""
        SELECT {invitation_columns.sql}, {user_columns.sql}
        FROM invitations_invitation i LEFT JOIN accounts_user u ON u.id = i.invited_by_id
        WHERE {_INVITATIONS_OF_ACCOUNT} AND {_NOT_SUPERSEDED}
        ORDER BY i.created_at DESC, i.id DESC LIMIT %s OFFSET %s
    """  # noqa: S608 (column names and literals only; values are parameters)
    with cursor(connection, prepare=True) as statement:
        params = [*_invitations_of_account_params(account), InvitationStatus.EXPIRED.value]
        statement.execute(sql, [*params, limit, offset])
        rows = statement.fetchall()
    split = len(invitation_columns.names)
    invitations, inviters = [], {None: None}  # one instance per inviter, however many rows
    for row in rows:
        invitation = invitation_columns.instance(Invitation, connection, row[:split])
        if invitation.invited_by_id not in inviters:
            inviters[invitation.invited_by_id] = user_columns.instance(
                User, connection, row[split:]
            )
        invitation._state.fields_cache["invited_by"] = inviters[invitation.invited_by_id]
        invitations.append(invitation)
    return invitations

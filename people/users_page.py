"""The Users page's reads: the ORM selectors the API reads too, three queries whatever the size.

1. `numbers()`: every number on the page (both tables' totals and the seats) in one query of
   subqueries. The account's members and pending invitations are counts that triggers keep
   (MemberCount, PendingInvitationCount), so an unfiltered page of 10,000 members and 1,000
   invitations counts neither.
2. `member_page()`: one page of `memberships.selectors.members_page` in the chosen order
   (email by default) through `member_rows` (user and `has_2fa` loaded), read from whichever
   end of the list is nearer, so in email order the last of 4,000 pages costs what the first
   does; who invited each of them comes in the same query (`invited_by_name`).
3. `invitation_page()`: one page of `invitations.selectors.pending_invitations`.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from accounts.models import Account
from invitations.models import Invitation, InvitationStatus, PendingInvitationCount
from invitations.selectors import pending_invitations
from memberships.models import MemberCount
from memberships.selectors import member_order, member_rows, members_page, subquery_count

# What the tables, the row actions and the services' checks read; other fields are deferred
# (a template reading one would cost a query per row: the query-count tests catch that).
MEMBER_FIELDS = ("id", "user", "account", "role", "status", "created_at", "access_until")
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
    sort: str = "email"  # a key of memberships.selectors.MEMBER_SORTS, "-" for descending

    def __bool__(self) -> bool:
        """Whether it narrows the members (the sort does not)."""
        return bool(self.q or self.level or self.status)

    def members(self, account):
        return members_page(account, q=self.q, level=self.level, status=self.status, sort=self.sort)

    @property
    def order(self) -> tuple:
        return member_order(self.sort)


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
    invitations: int  # listed: pending, and expired ones no newer invitation replaced (under q)
    seats_used: int  # every membership plus pending, unexpired invitations


def _kept(model, field, account):
    return Coalesce(Subquery(model.objects.filter(account=account).values(field)[:1]), 0)


def numbers(account, member_filter: MemberFilter, *, now=None) -> Numbers:
    """The page's numbers in one query.

    Only the few invitations past their expiry (for the seats) and the expired ones (listed
    unless replaced) are counted, each from an index range of only those rows; the rest are
    the counts the triggers keep.
    """
    now = now or timezone.now()
    invitations = Invitation.objects.filter(account=account)
    newer = Invitation.objects.filter(
        account=OuterRef("account"), email=OuterRef("email"), created_at__gt=OuterRef("created_at")
    )
    values = {
        "everyone": _kept(MemberCount, "members", account),
        "pending": _kept(PendingInvitationCount, "pending", account),
        "expired_listed": subquery_count(
            invitations.filter(status=InvitationStatus.EXPIRED).exclude(Exists(newer))
        ),
        "pending_lapsed": subquery_count(invitations.due_to_expire(now=now)),
    }
    if member_filter:
        values["filtered"] = subquery_count(member_filter.members(account))
    if member_filter.q:
        # The search narrows the invitations too (by email): those few are counted.
        values["invitations_found"] = subquery_count(
            pending_invitations(account, q=member_filter.q)
        )
    row = Account.objects.filter(pk=account.pk).values(**values).get()
    members = row["filtered"] if member_filter else row["everyone"]
    listed = row["invitations_found"] if member_filter.q else row["pending"] + row["expired_listed"]
    return Numbers(
        members=members,
        invitations=listed,
        seats_used=row["everyone"] + row["pending"] - row["pending_lapsed"],
    )


def _window(total: int, offset: int, limit: int) -> tuple[bool, int, int]:
    """(from the end?, offset, limit) reading rows [offset, offset + limit) of `total` from
    whichever end is nearer: an index scanned backwards skips fewer entries."""
    limit = max(min(limit, total - offset), 0)
    from_end = total - offset - limit
    if from_end < offset:
        return True, from_end, limit
    return False, offset, limit


def member_page(account, member_filter: MemberFilter, *, offset: int, limit: int, total: int):
    """Members [offset, offset + limit) of the filtered list in its order (email, then id, by
    default), each with `.user` loaded, `.has_2fa` and `.invited_by_name` (of the person
    whose invitation brought them in, or None); `total` is `numbers().members`."""
    backwards, skip, limit = _window(total, offset, limit)
    if limit == 0:
        return []
    members = member_filter.members(account)
    if backwards:
        members = members.reverse()
    rows = (
        member_rows(members[skip : skip + limit], order=member_filter.order)
        .only(*MEMBER_FIELDS, *(f"user__{field}" for field in MEMBER_USER_FIELDS))
        .annotate(invited_by_name=invited_by_name())
    )
    return list(rows)


def invited_by_name():
    """The name (else the email) of whoever sent the accepted invitation to the member's
    account and email that brought them in, or NULL: an annotation of Membership rows with
    `user` joined. A subquery per row of the page, each a lookup on the index
    invitation_acct_email_created (invitation emails are stored normalized, as users' are);
    the newest accepted one wins (someone who left and was invited again)."""
    full_name = Trim(Concat("invited_by__first_name", Value(" "), "invited_by__last_name"))
    accepted = (
        Invitation.objects.filter(
            account=OuterRef("account"),
            email=OuterRef("user__email"),
            status=InvitationStatus.ACCEPTED,
            invited_by__isnull=False,
        )
        .order_by("-created_at", "-id")
        .annotate(
            name=Coalesce(
                NullIf(full_name, Value("")), "invited_by__email", output_field=CharField()
            )
        )
        .values("name")[:1]
    )
    return Subquery(accepted, output_field=CharField())


def invitation_page(account, *, offset: int, limit: int, q: str = ""):
    """Listed invitations [offset, offset + limit) whose email contains `q`, newest first,
    each with `.invited_by`."""
    rows = pending_invitations(account, q=q).only(
        *INVITATION_FIELDS, *(f"invited_by__{field}" for field in INVITER_FIELDS)
    )
    invitations = list(rows[offset : offset + limit])
    for invitation in invitations:
        invitation.account = account  # the row actions' URLs name it: no query per row
    return invitations


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection");
# tab and carriage return are on OWASP's list too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 500
CSV_HEADER = [
    *("Name", "Email", "Level", "Status", "2FA", "Joined", "Last login", "Invited by"),
    "Access until",
]


def csv_cell(value) -> str:
    """`value` as a cell no spreadsheet runs: a leading ' before a formula's first character."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def member_csv_rows(account, member_filter: MemberFilter, *, zone, levels, statuses) -> Iterator:
    """The header, then a row per member of the filtered list in its order, every cell
    guarded by `csv_cell`. One query, read CSV_BATCH rows at a time (a server-side cursor on
    PostgreSQL), so memory stays flat however many members there are. `zone`, `levels` and
    `statuses` (value: label) are the viewer's, looked up while the request is active: a
    streamed body is read after it ends.
    """
    yield CSV_HEADER
    members = (
        member_rows(member_filter.members(account), order=member_filter.order)
        .only(*MEMBER_FIELDS, *(f"user__{field}" for field in MEMBER_USER_FIELDS))
        .annotate(invited_by_name=invited_by_name())
    )
    for member in members.iterator(chunk_size=CSV_BATCH):
        user = member.user
        last_login = user.last_login.astimezone(zone).isoformat() if user.last_login else ""
        yield [
            csv_cell(value)
            for value in (
                user.get_full_name(),
                user.email,
                levels.get(member.role, member.role),
                statuses.get(member.status, member.status),
                "On" if member.has_2fa else "Off",
                member.created_at.astimezone(zone).date().isoformat(),
                last_login,
                member.invited_by_name,
                # The date as the viewer reads it (access ends at the end of the setter's day).
                member.access_until.astimezone(zone).date().isoformat()
                if member.access_until
                else "",
            )
        ]

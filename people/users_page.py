"""The Users page's reads: the ORM selectors the API reads too, three queries whatever the size.

1. `numbers()`: every number on the page (both tables' totals and the seats) in one query of
   subqueries. The account's members and pending invitations are counts that triggers keep
   (MemberCount, PendingInvitationCount), so an unfiltered page of 10,000 members and 1,000
   invitations counts neither.
2. `member_page()`: one page of `memberships.selectors.members_page` in email order through
   `member_rows` (user and `has_2fa` loaded), read from whichever end of the list is nearer,
   so the last of 4,000 pages costs what the first does.
3. `invitation_page()`: one page of `invitations.selectors.pending_invitations`.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Account
from invitations.models import Invitation, InvitationStatus, PendingInvitationCount
from invitations.selectors import pending_invitations
from memberships.models import MemberCount
from memberships.selectors import member_rows, members_page, subquery_count

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

    def members(self, account):
        return members_page(account, q=self.q, level=self.level, status=self.status)


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
    row = Account.objects.filter(pk=account.pk).values(**values).get()
    members = row["filtered"] if member_filter else row["everyone"]
    return Numbers(
        members=members,
        invitations=row["pending"] + row["expired_listed"],
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
    """Members [offset, offset + limit) of the filtered list in email order (then id), each
    with `.user` loaded and `.has_2fa`; `total` is `numbers().members`."""
    backwards, skip, limit = _window(total, offset, limit)
    if limit == 0:
        return []
    members = member_filter.members(account)
    if backwards:
        members = members.reverse()
    rows = member_rows(members[skip : skip + limit]).only(
        *MEMBER_FIELDS, *(f"user__{field}" for field in MEMBER_USER_FIELDS)
    )
    return list(rows)


def invitation_page(account, *, offset: int, limit: int):
    """Listed invitations [offset, offset + limit), newest first, each with `.invited_by`."""
    rows = pending_invitations(account).only(
        *INVITATION_FIELDS, *(f"invited_by__{field}" for field in INVITER_FIELDS)
    )
    invitations = list(rows[offset : offset + limit])
    for invitation in invitations:
        invitation.account = account  # the row actions' URLs name it: no query per row
    return invitations

"""Inviting from a CSV file: what each row would become, then sending exactly that.

`preview_csv_invites` tells, row by row, what confirming would do (will invite, already a
member, already invited, invalid, level not allowed, duplicate, and, for rows beyond the
account's seats or its invitations per 24 hours, "not sent" with when they could be). It
writes nothing. `invite_csv_rows` is the confirmation: one durable transaction that locks the
Account row (as invite_users does: the seat and cap checks and accepts of one account run
one after the other), works the preview out again under the lock and sends the rows shown
as "will invite" only if they are still exactly those; otherwise it sends nothing and
returns the new preview (CsvPreviewChanged) for the person to review.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invitations.csv_file import CsvRow
from invitations.exceptions import InvitationError, LevelNotAllowed
from invitations.models import Invitation
from invitations.selectors import seats_left
from invitations.services._common import (
    CAP_WINDOW,
    _expire_due,
    _inviter_membership,
    _lock_account,
    _when,
)
from invitations.services.inviting import _check_level, _create
from memberships.models import Membership


class Outcome(StrEnum):
    INVITE = "invite"
    MEMBER = "member"
    INVITED = "invited"
    INVALID = "invalid"
    LEVEL = "level"
    DUPLICATE = "duplicate"
    NO_SEAT = "no_seat"
    OVER_CAP = "over_cap"


LABELS = {
    Outcome.INVITE: "Will invite",
    Outcome.MEMBER: "Already a member",
    Outcome.INVITED: "Already invited",
    Outcome.INVALID: "Invalid",
    Outcome.LEVEL: "Level not allowed for you",
    Outcome.DUPLICATE: "Duplicate row",
    Outcome.NO_SEAT: "Not sent: no seat left",
    Outcome.OVER_CAP: "Not sent: over the daily cap",
}


@dataclass(frozen=True)
class RowResult:
    row: CsvRow
    outcome: Outcome
    detail: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.outcome]

    @property
    def will_invite(self) -> bool:
        return self.outcome == Outcome.INVITE


class CsvPreviewChanged(InvitationError):
    """Something changed since the preview: nothing was sent; `results` is the new preview."""

    def __init__(self, results: list[RowResult]):
        self.results = results
        super().__init__(
            "Nothing was sent: the account changed since you reviewed the file "
            "(someone was invited or joined, or seats or the daily cap changed). "
            "Review the rows again."
        )


def _assess(account, inviter, rows: list[CsvRow], now) -> list[RowResult]:
    emails = [row.email for row in rows if not row.error]
    members = set(
        Membership.objects.filter(account=account, user__email__in=emails).values_list(
            "user__email", flat=True
        )
    )
    invited = set(
        Invitation.objects.pending(now=now)
        .filter(account=account, email__in=emails)
        .values_list("email", flat=True)
    )
    seats = seats_left(account)
    cap = settings.INVITATIONS_PER_ACCOUNT_PER_DAY
    recent = list(
        Invitation.objects.filter(account=account, created_at__gt=now - CAP_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    cap_left = max(cap - len(recent), 0)
    first_line: dict[str, int] = {}
    results, taken, over_cap = [], 0, 0
    for row in rows:
        if row.error:
            results.append(RowResult(row, Outcome.INVALID, row.error))
            continue
        until = row.access_until_moment
        if until is not None and until <= now:
            results.append(RowResult(row, Outcome.INVALID, "access until: that day has ended"))
            continue
        if row.email in first_line:
            detail = f"the same address as row {first_line[row.email]}"
            results.append(RowResult(row, Outcome.DUPLICATE, detail))
            continue
        first_line[row.email] = row.line
        try:
            _check_level(account, inviter, row.level)
        except LevelNotAllowed as refusal:
            results.append(RowResult(row, Outcome.LEVEL, str(refusal)))
            continue
        if row.email in members:
            results.append(RowResult(row, Outcome.MEMBER))
        elif row.email in invited:
            results.append(RowResult(row, Outcome.INVITED, "resend it from Users if needed"))
        elif seats is not None and taken >= seats:
            detail = "when a seat frees up (cancel pending invitations or change the plan)"
            results.append(RowResult(row, Outcome.NO_SEAT, detail))
        elif taken >= cap_left:
            over_cap += 1
            results.append(RowResult(row, Outcome.OVER_CAP, _cap_frees(over_cap, recent, now)))
        else:
            taken += 1
            results.append(RowResult(row, Outcome.INVITE))
    return results


def _cap_frees(position: int, recent: list, now) -> str:
    """When the `position`-th row over the cap could be sent: once that many invitations of
    the last 24 hours are older than that (those sent now included, after the others)."""
    cap = settings.INVITATIONS_PER_ACCOUNT_PER_DAY
    if position > cap:
        return f"in a later batch: at most {cap} invitations go out in 24 hours"
    sent_at = recent[position - 1] if position <= len(recent) else now
    return f"can be sent from {_when(sent_at + CAP_WINDOW)}"


def preview_csv_invites(*, account, rows: list[CsvRow], actor) -> list[RowResult]:
    """What confirming `rows` would do in `account`, row by row. Writes nothing."""
    now = timezone.now()
    inviter = _inviter_membership(account, actor)
    return _assess(account, inviter, rows, now)


@transaction.atomic(durable=True)
def invite_csv_rows(
    *, account, rows: list[CsvRow], expected_lines: list[int], actor
) -> list[Invitation]:
    """Send the rows the person saw as "will invite" (`expected_lines`, by line), all of
    them or none: under the account's lock the preview is worked out again, and if it no
    longer sends exactly those rows, nothing is sent (CsvPreviewChanged carries the new
    preview). Seats and the 24-hour cap hold as for invite_users."""
    now = timezone.now()
    account = _lock_account(account)
    inviter = _inviter_membership(account, actor)
    _expire_due(account=account, now=now)
    results = _assess(account, inviter, rows, now)
    sending = [result.row for result in results if result.will_invite]
    if [row.line for row in sending] != list(expected_lines):
        raise CsvPreviewChanged(results)
    if not sending:
        raise InvitationError("Nothing to send: no row of this file can be invited.")
    return [
        _create(
            account,
            email=row.email,
            level=row.level,
            message="",
            actor=actor,
            now=now,
            access_until=row.access_until_moment,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        for row in sending
    ]

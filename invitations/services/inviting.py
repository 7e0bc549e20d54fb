"""Inviting: invite_users and the checks it makes (level, addresses, seats, daily cap).

One durable transaction for the whole batch: every address to every account, or nothing.
Each account of the batch is locked first, in primary-key order (two batches over the same
accounts cannot deadlock), so the cap and seat checks of one account, and its accepts, run
one after the other. Emails leave through the task queue on commit only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, normalize_email
from accounts.roles import RANK, Role, label
from audit.models import Action
from invitations.exceptions import (
    AccessUntilNotAllowed,
    InvalidAddresses,
    InvitationError,
    InviteCapReached,
    LevelNotAllowed,
    NotAllowed,
)
from invitations.models import Invitation
from invitations.services._common import (
    CAP_WINDOW,
    _check_seats,
    _enqueue_send,
    _expire_due,
    _inviter_membership,
    _plural,
    _record,
    _when,
)
from memberships.access_until import check_moment
from memberships.models import Membership

MESSAGE_MAX_LENGTH = 1000
BATCH_MAX = 25


def _check_level(account, inviter_membership, level: str) -> None:
    if level not in Role.values or level == Role.OWNER:
        raise LevelNotAllowed("Choose a level from Admin down. Nobody can be invited as Owner.")
    if RANK[Role(level)] > RANK[Role(inviter_membership.role)]:
        raise LevelNotAllowed(
            f"You cannot invite someone to {account.name} above your own level "
            f"({label(inviter_membership.role)})."
        )
    if not account.plan_info.offers(level):
        raise LevelNotAllowed(
            f"The {account.plan_info.name} plan of {account.name} does not offer the "
            f"{label(level)} level."
        )


def _address_errors(account, emails: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    members = set(
        Membership.objects.filter(account=account, user__email__in=emails).values_list(
            "user__email", flat=True
        )
    )
    pending = set(
        Invitation.objects.pending()
        .filter(account=account, email__in=emails)
        .values_list("email", flat=True)
    )
    for email in emails:
        if email in members:
            errors.setdefault(email, []).append(f"already a member of {account.name}.")
        elif email in pending:
            errors.setdefault(email, []).append(
                f"already has a pending invitation to {account.name} (resend it from Users)."
            )
    return errors


def _check_cap(account, wanted: int, now) -> None:
    cap = settings.INVITATIONS_PER_ACCOUNT_PER_DAY
    recent = list(
        Invitation.objects.filter(account=account, created_at__gt=now - CAP_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    left = max(cap - len(recent), 0)
    if wanted > left:
        message = (
            f"{account.name} can send at most {cap} invitations in 24 hours: "
            f"{_plural(left, 'invitation')} left now, and you are sending {wanted}."
        )
        if wanted > cap:  # never enough, however long one waits (a cap of 0 included)
            raise InviteCapReached(f"{message} Send fewer at a time.")
        frees_at = recent[wanted - left - 1] + CAP_WINDOW
        raise InviteCapReached(f"{message} Enough become available at {_when(frees_at)}.")


def _check_access_until(access_until, now) -> None:
    if access_until is None:
        return
    try:
        check_moment(access_until, now=now)
    except ValidationError as error:
        raise AccessUntilNotAllowed(error.messages[0]) from None


def _create(
    account, *, email, level, message, actor, now, access_until=None, first_name="", last_name=""
) -> Invitation:
    """One invitation, its activity row and its email (on commit); the caller checked it."""
    invitation = Invitation.objects.create(
        account=account,
        email=email,
        role=level,
        message=message,
        invited_by=actor,
        created_at=now,
        expires_at=now + settings.INVITATION_EXPIRY,
        access_until=access_until,
        first_name=first_name,
        last_name=last_name,
    )
    new_value = label(level)
    if access_until is not None:
        new_value += f", access until {_when(access_until)}"
    _record(invitation, action=Action.INVITATION_SENT, actor=actor, new_value=new_value)
    _enqueue_send(invitation.pk)
    return invitation


@transaction.atomic(durable=True)
def invite_users(
    *,
    accounts,
    emails: list[str],
    level: str,
    message: str = "",
    access_until=None,
    actor,
) -> list[Invitation]:
    """Invite every address to every account at `level`: all of them, or none.

    Refuses the whole batch (creating nothing) when any address is already a member or
    invited, the level is above the inviter's or not in an account's plan, or an account
    would exceed its seats or its invitations per 24 hours. `access_until` (aware, in the
    future, at most a year ahead) goes into each membership made by accepting. Emails go
    out on commit.
    """
    now = timezone.now()
    _check_access_until(access_until, now)
    emails = list(dict.fromkeys(normalize_email(e) for e in emails if e and e.strip()))
    if not emails:
        raise InvalidAddresses({"": ["Enter at least one email address."]})
    if len(emails) > BATCH_MAX:
        raise InvalidAddresses({"": [f"Invite at most {BATCH_MAX} addresses at a time."]})
    bad = {}
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            bad[email] = ["not a valid email address."]
    if bad:
        raise InvalidAddresses(bad)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise InvitationError(
            f"The personal message can be at most {MESSAGE_MAX_LENGTH:,} characters."
        )
    # Lock in primary-key order, so batches over the same accounts cannot deadlock.
    locked = list(
        Account.objects.select_for_update(no_key=True)
        .filter(pk__in=sorted({a.pk for a in accounts}))
        .order_by("pk")
    )
    if not locked:
        raise NotAllowed("Choose at least one account.")
    errors: dict[str, list[str]] = {}
    for account in locked:
        inviter = _inviter_membership(account, actor)
        _check_level(account, inviter, level)
        _expire_due(account=account, now=now)
        for email, reasons in _address_errors(account, emails).items():
            errors.setdefault(email, []).extend(reasons)
    if errors:
        raise InvalidAddresses(errors)
    for account in locked:
        _check_seats(account, len(emails))
        _check_cap(account, len(emails), now)

    return [
        _create(
            account,
            email=email,
            level=level,
            message=message,
            actor=actor,
            now=now,
            access_until=access_until,
        )
        for account in locked
        for email in emails
    ]

"""Every change to invitations: invite, resend, cancel, accept, decline, expire, remind.

Public services are one durable transaction each. Those that could exceed a limit (the
daily cap, seats) or race with an accept lock the Account row first, so two requests on
one account run one after the other. Emails leave through the task queue on commit only.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from account_settings.notifications import notify_member_event
from accounts.emails import queue_email
from accounts.models import Account, User, normalize_email
from audit.models import Action
from audit.services import record_event
from invitations.exceptions import (
    InvalidAddresses,
    InvitationClosed,
    InvitationError,
    InviteCapReached,
    LevelNotAllowed,
    NotAllowed,
    ResendLimitReached,
    SeatLimitReached,
    WrongUser,
)
from invitations.models import DeliveryStatus, Invitation, InvitationStatus
from memberships import access
from memberships.exceptions import AccessDenied, MembershipError
from memberships.models import Membership
from memberships.roles import RANK, Role, label
from memberships.selectors import seats_left

CAP_WINDOW = timedelta(hours=24)
MESSAGE_MAX_LENGTH = 1000
BATCH_MAX = 25


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i T")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _lock_account(account) -> Account:
    # Serialises the cap and seat checks (and accepts) of one account.
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _inviter_membership(account, actor) -> Membership:
    # The one access gate, for each (locked) account of a batch: a locked-out Admin (2FA
    # required or reset, suspended, account closed) invites nobody anywhere.
    try:
        return access.require(actor, account, permission="members.invite")
    except AccessDenied as refusal:
        raise NotAllowed(refusal.message) from None
    except MembershipError:
        raise NotAllowed(f"You cannot invite people to {account.name}.") from None


def _enqueue_send(invitation_id: int, kind: str = "invitation") -> None:
    from invitations.tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.enqueue(invitation_id=invitation_id, kind=kind))


def _record(invitation, *, action, actor, target_user=None, old_value="", new_value=""):
    record_event(
        account=invitation.account,
        actor=actor,
        action=action,
        target_user=target_user,
        target_label=invitation.email,
        old_value=old_value,
        new_value=new_value,
    )


@transaction.atomic(savepoint=False)
def _expire_due(*, account=None, actor=None, now=None) -> int:
    """Mark pending invitations past their expiry as expired (one activity row each)."""
    now = now or timezone.now()
    due = Invitation.objects.due_to_expire(now=now).select_related("account")
    if account is not None:
        due = due.filter(account=account)
    count = 0
    for invitation in due.select_for_update(of=("self",)):
        invitation.status = InvitationStatus.EXPIRED
        invitation.save(update_fields=["status"])
        _record(invitation, action=Action.INVITATION_EXPIRED, actor=actor, old_value="pending")
        count += 1
    return count


# --- Inviting ---------------------------------------------------------------------------------


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


def _check_seats(account, wanted: int) -> None:
    left = seats_left(account)
    if left is not None and wanted > left:
        raise SeatLimitReached(
            f"{account.name} has {_plural(left, 'seat')} left on the {account.plan_info.name} "
            f"plan and you are inviting {wanted} more. "
            "Pending invitations take seats too: cancel some or change the plan."
        )


def _check_cap(account, wanted: int, now) -> None:
    cap = settings.INVITATIONS_PER_ACCOUNT_PER_DAY
    recent = list(
        Invitation.objects.filter(account=account, created_at__gt=now - CAP_WINDOW)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    left = max(cap - len(recent), 0)
    if wanted > left:
        frees_at = recent[min(wanted - left, len(recent)) - 1] + CAP_WINDOW
        raise InviteCapReached(
            f"{account.name} can send at most {cap} invitations in 24 hours: "
            f"{_plural(left, 'invitation')} left now, and you are sending {wanted}. "
            f"Enough become available at {_when(frees_at)}."
        )


@transaction.atomic(durable=True)
def invite_users(
    *, accounts, emails: list[str], level: str, message: str = "", actor
) -> list[Invitation]:
    """Invite every address to every account at `level`: all of them, or none.

    Refuses the whole batch (creating nothing) when any address is already a member or
    invited, the level is above the inviter's or not in an account's plan, or an account
    would exceed its seats or its invitations per 24 hours. Emails go out on commit.
    """
    now = timezone.now()
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

    created = []
    for account in locked:
        for email in emails:
            invitation = Invitation.objects.create(
                account=account,
                email=email,
                role=level,
                message=message,
                invited_by=actor,
                created_at=now,
                expires_at=now + settings.INVITATION_EXPIRY,
            )
            _record(invitation, action=Action.INVITATION_SENT, actor=actor, new_value=label(level))
            _enqueue_send(invitation.pk)
            created.append(invitation)
    return created


# --- Managing pending invitations -------------------------------------------------------------


def _locked_invitation(account, invitation_id) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(account=account, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise InvitationClosed("This invitation no longer exists.")
    invitation.account = account
    return invitation


@transaction.atomic(durable=True)
def resend_invitation(*, account, invitation_id: int, actor) -> Invitation:
    """Send a new link with a new expiry; the old link stops working at once.

    Works on pending and expired invitations, at most INVITATION_RESENDS_PER_DAY times per
    24 hours each. An expired one takes a seat again, so seats are checked.
    """
    now = timezone.now()
    account = _lock_account(account)
    _inviter_membership(account, actor)
    invitation = _locked_invitation(account, invitation_id)
    if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise InvitationClosed(
            f"The invitation to {invitation.email} was {invitation.get_status_display().lower()}"
            " and cannot be resent."
        )
    if Membership.objects.filter(account=account, user__email=invitation.email).exists():
        raise InvitationClosed(f"{invitation.email} is already a member of {account.name}.")
    window_start = invitation.resend_window_started_at
    if window_start is None or window_start <= now - CAP_WINDOW:
        window_start, count = now, 0
    else:
        count = invitation.resends_in_window
    limit = settings.INVITATION_RESENDS_PER_DAY
    if count >= limit:
        raise ResendLimitReached(
            f"The invitation to {invitation.email} was resent {limit} times in 24 hours. "
            f"You can resend it again at {_when(window_start + CAP_WINDOW)}."
        )
    if invitation.is_expired:
        if (
            Invitation.objects.filter(
                account=account, email=invitation.email, status=InvitationStatus.PENDING
            )
            .exclude(pk=invitation.pk)
            .exists()
        ):
            raise InvitationClosed(f"A newer invitation to {invitation.email} is pending.")
        if not account.plan_info.offers(invitation.role):
            raise LevelNotAllowed(
                f"The {account.plan_info.name} plan no longer offers the "
                f"{label(invitation.role)} level: invite {invitation.email} again at another level."
            )
        _check_seats(account, 1)
    old_status = invitation.status
    invitation.status = InvitationStatus.PENDING
    invitation.expires_at = now + settings.INVITATION_EXPIRY
    invitation.token_hash = ""  # the old link dies now, before the new email is built
    invitation.delivery_status = DeliveryStatus.QUEUED
    invitation.last_error = ""
    invitation.reminder_sent_at = None
    invitation.resend_window_started_at = window_start
    invitation.resends_in_window = count + 1
    invitation.save(
        update_fields=[
            "status",
            "expires_at",
            "token_hash",
            "delivery_status",
            "last_error",
            "reminder_sent_at",
            "resend_window_started_at",
            "resends_in_window",
        ]
    )
    _record(
        invitation,
        action=Action.INVITATION_RESENT,
        actor=actor,
        old_value=old_status if old_status != InvitationStatus.PENDING else "",
        new_value=f"expires {_when(invitation.expires_at)}",
    )
    _enqueue_send(invitation.pk)
    return invitation


def _cancel(invitation, *, actor) -> None:
    old = invitation.status
    invitation.status = InvitationStatus.CANCELLED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _record(invitation, action=Action.INVITATION_CANCELLED, actor=actor, old_value=old)


@transaction.atomic(durable=True)
def cancel_invitation(*, account, invitation_id: int, actor) -> Invitation:
    """Cancel a pending (or expired) invitation: its link stops working and its seat frees."""
    account = _lock_account(account)
    _inviter_membership(account, actor)
    invitation = _locked_invitation(account, invitation_id)
    if invitation.status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise InvitationClosed(
            f"The invitation to {invitation.email} was already "
            f"{invitation.get_status_display().lower()}."
        )
    _cancel(invitation, actor=actor)
    return invitation


@transaction.atomic(savepoint=False)
def cancel_invitations_sent_by(*, account, user, actor) -> int:
    """Cancel the pending invitations `user` sent in `account` (called when they are revoked).

    Runs inside the caller's transaction. Returns how many were cancelled.
    """
    invitations = list(
        Invitation.objects.select_for_update(of=("self",)).filter(
            account=account, invited_by=user, status=InvitationStatus.PENDING
        )
    )
    for invitation in invitations:
        invitation.account = account
        _cancel(invitation, actor=actor)
    return len(invitations)


@transaction.atomic(durable=True)
def expire_invitations(*, actor=None, now=None) -> int:
    """Mark every pending invitation past its expiry as expired; returns how many."""
    return _expire_due(actor=actor, now=now)


@transaction.atomic(durable=True)
def send_invitation_reminders(*, actor=None, now=None) -> int:
    """Queue one reminder for each delivered invitation that expires within
    INVITATION_REMINDER_BEFORE. The reminder carries a fresh link (only digests are stored,
    so the first link cannot be repeated); the earlier link stops working."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.pending(now=now)
        .filter(
            reminder_sent_at__isnull=True,
            delivery_status=DeliveryStatus.SENT,
            expires_at__lte=now + settings.INVITATION_REMINDER_BEFORE,
        )
        .select_for_update(skip_locked=True)
    )
    for invitation in due:
        invitation.reminder_sent_at = now
        invitation.save(update_fields=["reminder_sent_at"])
        _enqueue_send(invitation.pk, kind="reminder")
    return len(due)


# --- The person invited -----------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    account: Account
    membership: Membership
    already_member: bool


def _lock_by_token_hash(token_hash: str) -> Invitation:
    found = Invitation.objects.filter(token_hash=token_hash).exclude(token_hash="").first()
    if found is None:
        raise InvitationClosed("This invitation link is no longer valid. Ask for a new one.")
    account = _lock_account(Account(pk=found.account_id))
    invitation = _locked_invitation(account, found.pk)
    if invitation.token_hash != token_hash:  # resent while we waited for the lock
        raise InvitationClosed("This invitation link is no longer valid. Ask for a new one.")
    return invitation


def _check_open(invitation) -> None:
    if invitation.is_expired:
        raise InvitationClosed("This invitation has expired. Ask for a new one.")
    if invitation.status != InvitationStatus.PENDING:
        raise InvitationClosed(
            f"This invitation was already {invitation.get_status_display().lower()}."
        )
    if invitation.account.is_closed:
        raise InvitationClosed(f"{invitation.account.name} is closed.")


def _accept(invitation, *, user, actor) -> Acceptance:
    account = invitation.account
    if normalize_email(user.email) != invitation.email:
        raise WrongUser(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    now = timezone.now()
    existing = Membership.objects.filter(account=account, user=user).first()
    if existing is not None:
        # Already in the account: the invitation neither lets a suspended member back in nor
        # passes anyone through a policy the gate holds them to.
        decision = access.decide(user, account, membership=existing, tolerate=access.TWO_FACTOR)
        if not decision.granted:
            raise InvitationClosed(access.refusal_message(decision.refusal, account))
    if existing is None and not account.plan_info.offers(invitation.role):
        raise LevelNotAllowed(
            f"{account.name}'s plan no longer offers the {label(invitation.role)} level. "
            "Ask for a new invitation."
        )
    invitation.status = InvitationStatus.ACCEPTED
    invitation.responded_at = now
    invitation.save(update_fields=["status", "responded_at"])
    if existing is not None:
        _record(
            invitation,
            action=Action.INVITATION_ACCEPTED,
            actor=actor,
            target_user=user,
            new_value="already a member",
        )
        return Acceptance(account=account, membership=existing, already_member=True)
    membership = Membership.objects.create(
        user=user, account=account, role=invitation.role, created_at=now
    )
    record_event(
        account=account,
        actor=actor,
        action=Action.JOINED,
        target_user=user,
        new_value=label(invitation.role),
    )
    _record(
        invitation,
        action=Action.INVITATION_ACCEPTED,
        actor=actor,
        target_user=user,
        new_value=label(invitation.role),
    )
    notify_member_event(account=account, event="joined", subject_user=user, actor=actor)
    return Acceptance(account=account, membership=membership, already_member=False)


@transaction.atomic(durable=True)
def accept_invitation(*, token_hash: str, user, actor) -> Acceptance:
    """Join the account at the invited level. Only the invited email's user may accept; one
    membership whatever the number of parallel accepts; an existing member stays as is."""
    invitation = _lock_by_token_hash(token_hash)
    _check_open(invitation)
    return _accept(invitation, user=user, actor=actor)


@transaction.atomic(durable=True)
def accept_invitation_with_signup(
    *, token_hash: str, first_name: str, last_name: str, password: str
) -> tuple[User, Acceptance]:
    """Create the invited person's login (their email verified: the link proves it) and
    accept. The password must already be validated by the caller's form."""
    invitation = _lock_by_token_hash(token_hash)
    _check_open(invitation)
    exists = WrongUser(f"A login for {invitation.email} already exists: sign in to accept.")
    if User.objects.filter(email=invitation.email).exists():
        raise exists
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email, password, first_name=first_name, last_name=last_name
            )
    except IntegrityError:  # the same person signed up in another tab a moment ago
        raise exists from None
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user, _accept(invitation, user=user, actor=user)


@transaction.atomic(durable=True)
def decline_invitation(*, token_hash: str, actor) -> Invitation:
    """Mark the invitation declined and tell the person who sent it."""
    invitation = _lock_by_token_hash(token_hash)
    _check_open(invitation)
    invitation.status = InvitationStatus.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at"])
    _record(invitation, action=Action.INVITATION_DECLINED, actor=actor)
    inviter = invitation.invited_by
    if inviter is not None and inviter.is_active:
        queue_email(
            to=inviter.email,
            template="invitation_declined",
            context={
                "account_name": invitation.account.name,
                "email": invitation.email,
                "level": label(invitation.role),
            },
        )
    return invitation

"""Invitations already sent: resend, cancel, cancel those a revoked person sent, expire, remind.

Each public service is one durable transaction, except cancel_invitations_sent_by, which is a
step of revoking or leaving and runs inside its caller's. Resend and cancel lock the Account
row, then the invitation, so they run one after the other with invites and accepts on that
account (a resend of an expired invitation takes a seat again, so seats are checked under
the lock). Emails leave through the task queue on commit only.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import normalize_email
from accounts.roles import label
from audit.models import Action
from invitations.exceptions import InvitationClosed, LevelNotAllowed, ResendLimitReached
from invitations.models import DeliveryStatus, Invitation, InvitationStatus
from invitations.services._common import (
    CAP_WINDOW,
    _check_seats,
    _enqueue_send,
    _expire_due,
    _inviter_membership,
    _lock_account,
    _locked_invitation,
    _record,
    _when,
)
from memberships.models import Membership


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
    if invitation.access_until is not None and invitation.access_until <= now:
        raise InvitationClosed(
            f"The access the invitation to {invitation.email} offered ended on "
            f"{_when(invitation.access_until)}: invite them again with a new date."
        )
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


@transaction.atomic(savepoint=False)
def cancel_invitations_to(*, account, user, actor) -> int:
    """Cancel the pending invitations to `user`'s email in `account` (called when they become
    a member another way, so no invitation holds a second seat for them). Runs inside the
    caller's transaction, which has locked the account row. Returns how many."""
    invitations = list(
        Invitation.objects.select_for_update(of=("self",)).filter(
            account=account, email=normalize_email(user.email), status=InvitationStatus.PENDING
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

"""The person invited: accept (signed in, or creating their login through the link) and decline.

Each is one durable transaction that finds the invitation by its token's digest, locks the
Account row and then the invitation, and checks the digest again under the lock: parallel
accepts make one membership, and a link resent meanwhile no longer works. Only the invited
email's user may accept. Emails (the joined notice to Owners and Admins, the declined notice
to the person who invited) leave through the task queue on commit only.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.emails import queue_email
from accounts.models import Account, User, normalize_email
from accounts.roles import label
from audit.models import Action
from invitations.exceptions import InvitationClosed, LevelNotAllowed, WrongUser
from invitations.models import Invitation, InvitationStatus
from invitations.services._common import _lock_account, _locked_invitation, _record
from memberships import access
from memberships.models import Membership
from memberships.notifications import notify_member_event


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
    if existing is None and invitation.access_until is not None and invitation.access_until <= now:
        raise InvitationClosed(
            f"The access this invitation offered to {account.name} has already ended. "
            "Ask for a new invitation."
        )
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
        user=user,
        account=account,
        role=invitation.role,
        created_at=now,
        # An expiring invitation makes an expiring membership, set by whoever invited.
        access_until=invitation.access_until,
        access_until_set_by=invitation.invited_by if invitation.access_until else None,
    )
    # One row for one event: "Invitation accepted", to the invited email, at the level joined.
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

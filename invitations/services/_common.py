"""What two or more of the invitation services use; no public service lives here.

The row locks (the Account first, then the invitation), the access gate for the person
inviting, the activity row, the email queued on commit, the sweep that expires due
invitations, the seat check and the wording of times and counts.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Account
from audit.models import Action
from audit.services import record_event
from config.request_context import site_url
from invitations.exceptions import InvitationClosed, NotAllowed, SeatLimitReached
from invitations.models import Invitation, InvitationStatus
from invitations.selectors import seats_left
from invitations.tasks import send_invitation
from memberships import access
from memberships.exceptions import AccessDenied, MembershipError
from memberships.models import Membership

CAP_WINDOW = timedelta(hours=24)


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
    base_url = site_url()  # the link's base, taken while the request is known

    transaction.on_commit(
        lambda: send_invitation.enqueue(invitation_id=invitation_id, kind=kind, base_url=base_url)
    )


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


def _check_seats(account, wanted: int) -> None:
    left = seats_left(account)
    if left is not None and wanted > left:
        raise SeatLimitReached(
            f"{account.name} has {_plural(left, 'seat')} left on the {account.plan_info.name} "
            f"plan and you are inviting {wanted} more. "
            "Pending invitations take seats too: cancel some or change the plan."
        )

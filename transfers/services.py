"""Ownership transfer with acceptance: the Owner offers, the chosen Admin accepts or declines
within TRANSFER_EXPIRY, the Owner may cancel meanwhile, the scheduled job expires the rest.

Nothing in the account changes until the Admin accepts. Each public service is one durable
transaction that locks the Account row first (the same lock every membership change takes,
so an acceptance and a level change, suspension or revoke of either person run one after
the other), asks the access gate inside it, then locks the transfer row. Accepting re-reads
both memberships under those locks and swaps the two levels in one transaction: the
database's one-Owner constraint holds at every step. Both people are emailed at every step,
on commit only.
"""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.emails import queue_email
from accounts.models import Account
from accounts.roles import Role
from audit.models import Action
from audit.services import record_event
from memberships import access
from memberships.exceptions import CannotChangeSelf, NotAMember, TransferTargetNotAdmin
from memberships.models import Membership, MembershipStatus
from transfers.exceptions import TransferAlreadyPending, TransferClosed
from transfers.models import TRANSFER_EXPIRY, OwnershipTransfer, TransferStatus


def _lock_account(account) -> Account:
    # Serialises this account's membership changes: see the module docstring.
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i T")


def _locked_transfer(account, transfer_id) -> OwnershipTransfer:
    transfer = (
        OwnershipTransfer.objects.select_for_update(of=("self",))
        .select_related("from_user", "to_user")
        .filter(account=account, pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise TransferClosed("This ownership transfer no longer exists.")
    transfer.account = account
    return transfer


def _check_open(transfer) -> None:
    if transfer.is_expired:
        raise TransferClosed("This ownership transfer has expired. Nothing changed.")
    if transfer.status != TransferStatus.PENDING:
        raise TransferClosed(
            f"This ownership transfer was already {transfer.get_status_display().lower()}."
        )


def _tell_both(transfer, *, headline_to, lines_to, headline_from, lines_from) -> None:
    """One email to the Admin it was offered to and one to the Owner who offered it."""
    account = transfer.account
    review = reverse("transfers:review", kwargs={"slug": account.slug})
    settings_page = reverse("people:transfer", kwargs={"slug": account.slug})
    for to, headline, lines, path in (
        (transfer.to_user.email, headline_to, lines_to, review),
        (transfer.from_user.email, headline_from, lines_from, settings_page),
    ):
        queue_email(
            to=to,
            template="ownership_transfer",
            context={
                "account_name": account.name,
                "headline": headline,
                "lines": lines,
                "path": path,
            },
        )


def _record(transfer, *, action, actor, old_value="", new_value=""):
    record_event(
        account=transfer.account,
        actor=actor,
        action=action,
        target_user=transfer.to_user,
        old_value=old_value,
        new_value=new_value,
    )


@transaction.atomic(savepoint=False)
def _expire_due(*, account=None, now=None) -> int:
    """Mark pending transfers past their expiry expired; a log row and two emails each."""
    due = OwnershipTransfer.objects.due_to_expire(now=now).select_related(
        "account", "from_user", "to_user"
    )
    if account is not None:
        due = due.filter(account=account)
    count = 0
    for transfer in due.select_for_update(of=("self",)):
        transfer.status = TransferStatus.EXPIRED
        transfer.save(update_fields=["status"])
        _record(transfer, action=Action.OWNERSHIP_TRANSFER_EXPIRED, actor=None)
        name = transfer.account.name
        _tell_both(
            transfer,
            headline_to=f"The offer of ownership of {name} has expired",
            lines_to=["Nothing changed: you are still an Admin."],
            headline_from=f"Your transfer of ownership of {name} has expired",
            lines_from=[
                f"{transfer.to_user.display_name} did not accept in time. You are still the "
                "Owner; you can start a new transfer."
            ],
        )
        count += 1
    return count


@transaction.atomic(durable=True)
def start_transfer(*, account, new_owner_membership_id: int, actor) -> OwnershipTransfer:
    """Offer ownership to an active Admin. Nothing else changes: the Owner stays Owner until
    the Admin accepts. At most one offer waits per account (a database constraint)."""
    account = _lock_account(account)
    owner = access.require(actor, account, permission="ownership.transfer", lock=True)
    target = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(account=account, pk=new_owner_membership_id)
        .first()
    )
    if target is None:
        raise NotAMember("This person is no longer a member of this account.")
    if target.pk == owner.pk:
        raise CannotChangeSelf("You are already the Owner.")
    if target.role != Role.ADMIN or target.status != MembershipStatus.ACTIVE:
        raise TransferTargetNotAdmin(
            "Ownership can only go to an active Admin. Make them an Admin first."
        )
    _expire_due(account=account)
    waiting = OwnershipTransfer.objects.filter(account=account, status=TransferStatus.PENDING)
    if waiting.exists():
        raise TransferAlreadyPending(
            "A transfer of ownership is already waiting for an answer. Cancel it first."
        )
    now = timezone.now()
    transfer = OwnershipTransfer.objects.create(
        account=account,
        from_user=owner.user,
        to_user=target.user,
        created_at=now,
        expires_at=now + TRANSFER_EXPIRY,
    )
    _record(
        transfer,
        action=Action.OWNERSHIP_TRANSFER_OFFERED,
        actor=actor,
        new_value=f"expires {_when(transfer.expires_at)}",
    )
    until = _when(transfer.expires_at)
    _tell_both(
        transfer,
        headline_to=f"{actor.display_name} offers you ownership of {account.name}",
        lines_to=[
            f"{actor.display_name} wants to make you the Owner of {account.name}. They would "
            "become an Admin.",
            f"Accept (with your password) or decline before {until}. Nothing changes until you "
            "accept.",
        ],
        headline_from=f"You offered ownership of {account.name} to {target.user.display_name}",
        lines_from=[
            f"{target.user.display_name} has until {until} to accept. You stay the Owner until "
            "then, and you can cancel the transfer meanwhile."
        ],
    )
    return transfer


@transaction.atomic(durable=True)
def accept_transfer(*, account, transfer_id: int, actor) -> Membership:
    """The Admin the transfer names becomes Owner and the Owner who offered it becomes Admin,
    together or not at all. Refused, with nothing changed, if the offer is closed or expired,
    if the actor is not (or no longer) an active Admin the gate lets in, or if the person who
    offered it is no longer the Owner. The caller checks the actor's password."""
    account = _lock_account(account)
    # The gate, under the account lock: a suspension, 2FA reset or revoke committed since
    # the page was shown is seen here.
    new_owner = access.require(actor, account, lock=True)
    transfer = _locked_transfer(account, transfer_id)
    if transfer.to_user_id != actor.pk:
        raise TransferClosed("This ownership transfer is not addressed to you.")
    _check_open(transfer)
    if new_owner.role != Role.ADMIN:
        raise TransferTargetNotAdmin(
            f"You are no longer an Admin of {account.name}, so ownership cannot pass to you. "
            "Nothing changed. Ask the Owner to make you an Admin again or to cancel the transfer."
        )
    old_owner = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(account=account, role=Role.OWNER)
        .first()
    )
    if old_owner is None or old_owner.user_id != transfer.from_user_id:
        raise TransferClosed(
            f"{transfer.from_user.display_name} is no longer the Owner of {account.name}. "
            "Nothing changed."
        )
    # The old Owner steps down first: the one-Owner constraint holds after each statement.
    old_owner.role = Role.ADMIN
    old_owner.save(update_fields=["role"])
    new_owner.role = Role.OWNER
    # The Owner's access never ends: a date an Admin had would come back into force later.
    new_owner.access_until = new_owner.access_until_set_by = None
    new_owner.access_reminded_days = None
    new_owner.save(
        update_fields=["role", "access_until", "access_until_set_by", "access_reminded_days"]
    )
    transfer.status = TransferStatus.ACCEPTED
    transfer.responded_at = timezone.now()
    transfer.save(update_fields=["status", "responded_at"])
    record_event(
        account=account,
        actor=actor,
        action=Action.OWNERSHIP_TRANSFERRED,
        target_user=actor,
        old_value=old_owner.user.email,
        new_value=actor.email,
    )
    _tell_both(
        transfer,
        headline_to=f"You are now the Owner of {account.name}",
        lines_to=[
            f"You accepted ownership of {account.name}. {old_owner.user.display_name} "
            "is now an Admin."
        ],
        headline_from=f"{actor.display_name} is now the Owner of {account.name}",
        lines_from=[
            f"{actor.display_name} accepted ownership of {account.name}. You are now an Admin."
        ],
    )
    return new_owner


@transaction.atomic(durable=True)
def decline_transfer(*, account, transfer_id: int, actor) -> OwnershipTransfer:
    """The Admin the transfer names turns it down; nothing else changes."""
    account = _lock_account(account)
    access.require(actor, account)
    transfer = _locked_transfer(account, transfer_id)
    if transfer.to_user_id != actor.pk:
        raise TransferClosed("This ownership transfer is not addressed to you.")
    _check_open(transfer)
    transfer.status = TransferStatus.DECLINED
    transfer.responded_at = timezone.now()
    transfer.save(update_fields=["status", "responded_at"])
    _record(transfer, action=Action.OWNERSHIP_TRANSFER_DECLINED, actor=actor)
    _tell_both(
        transfer,
        headline_to=f"You declined ownership of {account.name}",
        lines_to=["Nothing changed: you are still an Admin."],
        headline_from=f"{actor.display_name} declined ownership of {account.name}",
        lines_from=["You are still the Owner. You can offer ownership to another Admin."],
    )
    return transfer


@transaction.atomic(durable=True)
def cancel_transfer(*, account, transfer_id: int, actor) -> OwnershipTransfer:
    """The Owner withdraws the offer before it is answered; nothing else changes."""
    account = _lock_account(account)
    access.require(actor, account, permission="ownership.transfer")
    transfer = _locked_transfer(account, transfer_id)
    _check_open(transfer)
    transfer.status = TransferStatus.CANCELLED
    transfer.responded_at = timezone.now()
    transfer.save(update_fields=["status", "responded_at"])
    _record(transfer, action=Action.OWNERSHIP_TRANSFER_CANCELLED, actor=actor)
    _tell_both(
        transfer,
        headline_to=f"The offer of ownership of {account.name} was cancelled",
        lines_to=[f"{actor.display_name} cancelled it. Nothing changed: you are still an Admin."],
        headline_from=f"You cancelled the transfer of ownership of {account.name}",
        lines_from=["You are still the Owner."],
    )
    return transfer


@transaction.atomic(savepoint=False)
def cancel_transfers_involving(*, account, user, actor, reason: str) -> int:
    """Cancel the pending transfer offered to or by `user` in `account` because they stopped
    being an active Admin (or the Owner): demoted, suspended, revoked, left, or their access
    ended. A step of those services: runs inside their transaction, after they locked the
    account row and asked the gate. Logged and emailed to both people like a cancel.
    `reason` completes "... because <name> <reason>". Returns how many (0 or 1)."""
    transfers = list(
        OwnershipTransfer.objects.select_for_update(of=("self",))
        .select_related("from_user", "to_user")
        .filter(account=account, status=TransferStatus.PENDING)
        .filter(Q(to_user_id=user.pk) | Q(from_user_id=user.pk))
    )
    for transfer in transfers:
        transfer.account = account
        transfer.status = TransferStatus.CANCELLED
        transfer.responded_at = timezone.now()
        transfer.save(update_fields=["status", "responded_at"])
        why = f"{user.display_name} {reason}"
        _record(transfer, action=Action.OWNERSHIP_TRANSFER_CANCELLED, actor=actor, new_value=why)
        _tell_both(
            transfer,
            headline_to=f"The offer of ownership of {account.name} was cancelled",
            lines_to=[f"It was cancelled because {why}."],
            headline_from=f"Your transfer of ownership of {account.name} was cancelled",
            lines_from=[
                f"It was cancelled because {why}. You are still the Owner; you can offer "
                "ownership to another Admin."
            ],
        )
    return len(transfers)


@transaction.atomic(durable=True)
def expire_transfers(*, actor=None, now=None) -> int:
    """Mark every pending transfer past its expiry expired; returns how many (a job)."""
    return _expire_due(now=now)

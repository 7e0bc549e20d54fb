"""Every change to who is in an account and at which level.

Each public service is one durable transaction that:
  1. locks the Account row first (so two changes to one account's people run one after the
     other: the one-Owner rule, "at least one Admin stays" races and transfer-vs-edit races
     are decided by that order, not by chance);
  2. re-reads the actor's and the target's memberships under the lock and checks the
     registry (a revoked actor can do nothing, whatever their stale page showed);
  3. writes the change and its activity-log row;
  4. sends email on commit only.
Ownership transfers (offer, accept, decline, cancel) are in transfers.services and take the
same Account lock.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from accounts.emails import queue_email
from accounts.models import Account
from accounts.roles import RANK, Role, label
from apikeys.services import delete_keys_of
from audit.models import Action
from audit.services import acting_as, record_event
from invitations.services import cancel_invitations_sent_by
from memberships import access
from memberships.access_until import check_moment as check_access_moment
from memberships.access_until import shown as shown_access_until
from memberships.exceptions import (
    CannotChangeOwner,
    CannotChangeSelf,
    InvalidAccessUntil,
    LevelNotGrantable,
    LevelNotInPlan,
    MembershipError,
    NotAllowed,
    NotAMember,
    OwnerCannotLeave,
)
from memberships.models import Membership, MembershipStatus
from memberships.notifications import notify_member_event
from transfers.services import cancel_transfers_involving

logger = logging.getLogger(__name__)

# Levels whose API keys survive a level change (keys act with their creator's level; below
# Admin a creator could not have created them, so they go).
KEY_HOLDING_ROLES = {Role.OWNER, Role.ADMIN}


def _lock_account(account) -> Account:
    # Serialises every membership change of this account (see the module docstring).
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _actor_membership(account, actor, code: str) -> Membership:
    # The one access gate, under the account lock: a suspension, a 2FA reset or a revoke
    # committed since the page was shown is seen here.
    return access.require(actor, account, permission=code, lock=True)


def lock_member(account, membership_id) -> Membership:
    """The membership `membership_id` of `account`, locked, with its user; NotAMember if it
    is gone. Call inside a transaction that locked the account row."""
    target = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(account=account, pk=membership_id)
        .first()
    )
    if target is None:
        raise NotAMember("This person is no longer a member of this account.")
    return target


def _check_may_act_on(actor_membership, target, *, verb: str):
    if target.role == Role.OWNER:
        raise CannotChangeOwner(f"Nobody can {verb} the Owner. The Owner can transfer ownership.")
    if target.user_id == actor_membership.user_id:
        raise CannotChangeSelf(f"You cannot {verb} yourself.")
    if RANK[Role(target.role)] > RANK[Role(actor_membership.role)]:
        raise NotAllowed(f"You cannot {verb} someone above your own level.")


def may_act_on(actor_membership, target) -> bool:
    """Whether the Users page should offer actions on `target` (the services re-check)."""
    try:
        _check_may_act_on(actor_membership, target, verb="change")
    except MembershipError:
        return False
    return True


def grantable_levels(*, account, actor_membership) -> list[Role]:
    """Levels `actor_membership` may give in `account`: never Owner, never above their own,
    and only those the plan offers."""
    plan = account.plan_info
    return [
        role
        for role in Role
        if role != Role.OWNER
        and RANK[role] <= RANK[Role(actor_membership.role)]
        and plan.offers(role)
    ]


def _notice(*, to, account, headline, lines):
    queue_email(
        to=to,
        template="membership_notice",
        context={"account_name": account.name, "headline": headline, "lines": lines},
    )


@transaction.atomic(durable=True)
def change_level(*, account, membership_id: int, level: str, actor) -> Membership:
    """Set a member's level. Never the Owner's, never one's own, never to Owner, never above
    the actor's level, never a level the plan does not offer."""
    account = _lock_account(account)
    actor_m = _actor_membership(account, actor, "members.set_level")
    target = lock_member(account, membership_id)
    _check_may_act_on(actor_m, target, verb="change the level of")
    if level not in Role.values or level == Role.OWNER:
        raise LevelNotGrantable("Choose a level from Admin down. Ownership is transferred instead.")
    if RANK[Role(level)] > RANK[Role(actor_m.role)]:
        raise LevelNotGrantable("You cannot give a level above your own.")
    if not account.plan_info.offers(level):
        raise LevelNotInPlan(
            f"The {account.plan_info.name} plan does not offer the {label(level)} level."
        )
    old = target.role
    if old == level:
        return target
    target.role = level
    target.save(update_fields=["role"])
    # Ownership goes only to an Admin: an offer waiting for them is over.
    cancel_transfers_involving(
        account=account, user=target.user, actor=actor, reason="is no longer an Admin"
    )
    if level not in KEY_HOLDING_ROLES:
        delete_keys_of(account=account, user=target.user, actor=actor)
    record_event(
        account=account,
        actor=actor,
        action=Action.LEVEL_CHANGED,
        target_user=target.user,
        old_value=label(old),
        new_value=label(level),
    )
    notify_member_event(
        account=account,
        event="level_changed",
        subject_user=target.user,
        actor=actor,
        old_level=old,
        new_level=level,
    )
    _notice(
        to=target.user.email,
        account=account,
        headline=f"Your level in {account.name} is now {label(level)}",
        lines=[f"{actor.display_name} changed your level from {label(old)} to {label(level)}."],
    )
    return target


def _set_status(*, account, membership_id, actor, status, action, verb, headline, line):
    account = _lock_account(account)
    actor_m = _actor_membership(account, actor, "members.suspend")
    target = lock_member(account, membership_id)
    _check_may_act_on(actor_m, target, verb=verb)
    if target.status == status:
        return target
    old = target.status
    target.status = status
    # A status set by hand is never the expiry job's (see Membership.suspended_by_expiry).
    target.suspended_by_expiry = False
    fields = ["status", "suspended_by_expiry"]
    if status == MembershipStatus.ACTIVE and _access_ended(target):
        # Reactivating after the access date passed clears it (else the job suspends again).
        target.access_until = target.access_until_set_by = target.access_reminded_days = None
        fields += ["access_until", "access_until_set_by", "access_reminded_days"]
    target.save(update_fields=fields)
    if status == MembershipStatus.SUSPENDED:
        cancel_transfers_involving(
            account=account, user=target.user, actor=actor, reason="was suspended"
        )
    record_event(
        account=account,
        actor=actor,
        action=action,
        target_user=target.user,
        old_value=old,
        new_value=status,
    )
    _notice(to=target.user.email, account=account, headline=headline, lines=[line])
    return target


@transaction.atomic(durable=True)
def suspend_member(*, account, membership_id: int, actor) -> Membership:
    """Suspended members keep their level but cannot open the account (or use its API keys)."""
    return _set_status(
        account=account,
        membership_id=membership_id,
        actor=actor,
        status=MembershipStatus.SUSPENDED,
        action=Action.SUSPENDED,
        verb="suspend",
        headline=f"Your access to {account.name} is suspended",
        line="An Owner or Admin suspended your access. Ask them if you think this is a mistake.",
    )


@transaction.atomic(durable=True)
def reactivate_member(*, account, membership_id: int, actor) -> Membership:
    return _set_status(
        account=account,
        membership_id=membership_id,
        actor=actor,
        status=MembershipStatus.ACTIVE,
        action=Action.REACTIVATED,
        verb="reactivate",
        headline=f"Your access to {account.name} is restored",
        line="You can sign in and open the account again.",
    )


# --- Access until (issue 20) ----------------------------------------------------------------

# Rows the expiry job writes name it as the actor (it has no person behind it).
ACCESS_EXPIRY_LABEL = "Access expiry"


def _access_ended(membership, now=None) -> bool:
    return membership.access_until is not None and membership.access_until <= (
        now or timezone.now()
    )


def _access_label(moment, zone) -> str:
    """For the activity log (read in any time zone): the moment with its zone's name."""
    if moment is None:
        return ""
    return f"access until {date_format(timezone.localtime(moment, zone), 'j M Y, H:i T')}"


@transaction.atomic(durable=True)
def set_access_until(*, account, membership_id: int, access_until, actor) -> Membership:
    """Set, move or clear (None) the moment a member's access ends: an aware datetime, in
    the future and at most a year ahead. Never the Owner's, never one's own, never someone's
    above the actor's level. Reminders start again for the new date; a member the expiry job
    suspended because their date passed is active again when it moves into the future (never
    one an Owner or Admin suspended by hand)."""
    now = timezone.now()
    account = _lock_account(account)
    actor_m = _actor_membership(account, actor, "members.suspend")
    target = lock_member(account, membership_id)
    _check_may_act_on(actor_m, target, verb="set when access ends for")
    old = target.access_until
    if old == access_until:  # nothing changes: no row, no email (even for a passed date)
        return target
    if access_until is not None:
        try:
            check_access_moment(access_until, now=now)
        except ValidationError as error:
            raise InvalidAccessUntil(error.messages[0]) from None
    extended = (
        target.status == MembershipStatus.SUSPENDED
        and target.suspended_by_expiry
        and _access_ended(target, now)
        and access_until is not None
    )
    target.access_until = access_until
    target.access_until_set_by = actor if access_until is not None else None
    target.access_reminded_days = None
    fields = ["access_until", "access_until_set_by", "access_reminded_days"]
    if extended:
        target.status = MembershipStatus.ACTIVE
        target.suspended_by_expiry = False
        fields += ["status", "suspended_by_expiry"]
    target.save(update_fields=fields)
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCESS_UNTIL_CHANGED,
        target_user=target.user,
        old_value=_access_label(old, _zone_of(actor)) or "no end date",
        new_value=_access_label(access_until, _zone_of(actor)) or "no end date",
    )
    if extended:
        record_event(
            account=account,
            actor=actor,
            action=Action.REACTIVATED,
            target_user=target.user,
            old_value=MembershipStatus.SUSPENDED,
            new_value=MembershipStatus.ACTIVE,
        )
    zone = _zone_of(target.user)
    _notice(
        to=target.user.email,
        account=account,
        headline=(
            f"Your access to {account.name} now ends on {shown_access_until(access_until, zone)}"
            if access_until
            else f"Your access to {account.name} no longer has an end date"
        ),
        lines=[f"{actor.display_name} changed when your access ends."]
        + (["You can open the account again."] if extended else []),
    )
    return target


def _zone_of(user):
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class AccessExpiryRun:
    reminded: int  # memberships reminded (each email goes to the member and who set the date)
    suspended: int
    failed: tuple[int, ...] = ()  # ids of the accounts whose transaction raised (logged)


def expire_access(*, actor=None, now=None) -> AccessExpiryRun:
    """The scheduled job (hourly, with invitation expiry): remind each member whose access
    ends within ACCESS_REMINDER_DAYS (7 and 1 days: each reminder once per date, only the
    nearest when several are due), and suspend those whose access has ended, with an
    activity row by "Access expiry". The Owner is never touched. One transaction per
    account, which locks the account row first like every membership change; safe to run
    again at any time (it re-reads each row under the lock). An account whose transaction
    fails is logged, rolled back alone and listed in `failed`; the others still run."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(settings.ACCESS_REMINDER_DAYS))
    account_ids = sorted(
        set(_access_due(Membership.objects.all(), horizon).values_list("account_id", flat=True))
    )
    reminded = suspended = 0
    failed = []
    for account_id in account_ids:
        try:
            r, s = _expire_access_in(account_id, now=now, horizon=horizon)
        # Deliberately broad: one tenant's bad row or lock timeout must not keep every
        # other account's expiries from applying. Logged with its traceback; the command
        # exits non-zero when any account failed.
        except Exception:
            logger.exception("expire_access failed for account %s", account_id)
            failed.append(account_id)
            continue
        reminded, suspended = reminded + r, suspended + s
    return AccessExpiryRun(reminded=reminded, suspended=suspended, failed=tuple(failed))


def _access_due(memberships, horizon):
    return memberships.filter(
        status=MembershipStatus.ACTIVE,
        access_until__isnull=False,
        access_until__lte=horizon,
    ).exclude(role=Role.OWNER)


@transaction.atomic(durable=True)
def _expire_access_in(account_id: int, *, now, horizon) -> tuple[int, int]:
    account = Account.objects.select_for_update(no_key=True).get(pk=account_id)
    due = (
        _access_due(Membership.objects.filter(account=account), horizon)
        .select_related("user", "access_until_set_by")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    reminded = suspended = 0
    with acting_as(ACCESS_EXPIRY_LABEL):
        for membership in due:
            if membership.access_until <= now:
                _suspend_for_expiry(account, membership)
                suspended += 1
            elif _remind_of_expiry(account, membership, now):
                reminded += 1
    return reminded, suspended


def _suspend_for_expiry(account, membership) -> None:
    setter = membership.access_until_set_by
    zone = _zone_of(setter or membership.user)
    membership.status = MembershipStatus.SUSPENDED
    membership.suspended_by_expiry = True
    membership.save(update_fields=["status", "suspended_by_expiry"])
    cancel_transfers_involving(
        account=account, user=membership.user, actor=None, reason="no longer has access"
    )
    record_event(
        account=account,
        actor=None,
        action=Action.SUSPENDED,
        target_user=membership.user,
        old_value=MembershipStatus.ACTIVE,
        new_value=f"suspended: {_access_label(membership.access_until, zone)} passed",
    )
    _notice(
        to=membership.user.email,
        account=account,
        headline=f"Your access to {account.name} has ended",
        lines=[
            f"Your access was set to end on "
            f"{shown_access_until(membership.access_until, _zone_of(membership.user))}.",
            "Ask an Owner or Admin of the account if you still need it.",
        ],
    )


def _remind_of_expiry(account, membership, now) -> bool:
    """Queue the nearest reminder due and not yet sent for this date; False if none."""
    left = membership.access_until - now
    due = [days for days in settings.ACCESS_REMINDER_DAYS if left <= timedelta(days=days)]
    if not due:
        return False
    days = min(due)
    sent = membership.access_reminded_days
    if sent is not None and sent <= days:
        return False
    membership.access_reminded_days = days
    membership.save(update_fields=["access_reminded_days"])
    member, setter = membership.user, membership.access_until_set_by
    recipients = [(member, True)]
    # The setter hears of it only while they still manage this account's people (not after
    # they left, were revoked, suspended or demoted).
    if (
        setter is not None
        and setter.is_active
        and setter.pk != member.pk
        and access.has_permission(setter, account, "members.suspend")
    ):
        recipients.append((setter, False))
    for person, is_member in recipients:
        queue_email(
            to=person.email,
            template="access_expiring",
            context={
                "account_name": account.name,
                "to_member": is_member,
                "member_name": member.display_name,
                "member_email": member.email,
                "until": shown_access_until(membership.access_until, _zone_of(person)),
                "days": days,
            },
        )
    return True


def _remove(*, account, membership, actor, action, headline, line):
    """Take `membership` out of `account` with everything that hangs on it: the API keys the
    person created here, the invitations they sent, the log row, the notices."""
    user = membership.user
    left = actor is not None and actor.pk == user.pk
    delete_keys_of(account=account, user=user, actor=actor)
    cancel_invitations_sent_by(account=account, user=user, actor=actor)
    cancel_transfers_involving(
        account=account,
        user=user,
        actor=actor,
        reason="left the account" if left else "was removed from the account",
    )
    membership.delete()
    record_event(
        account=account,
        actor=actor,
        action=action,
        target_user=user,
        old_value=label(membership.role),
    )
    # Leaving is "left"; anyone else taking the membership away is "removed".
    event = "left" if left else "removed"
    notify_member_event(account=account, event=event, subject_user=user, actor=actor)
    _notice(to=user.email, account=account, headline=headline, lines=[line])


def _revoke(*, account, actor_m, target, actor):
    _check_may_act_on(actor_m, target, verb="revoke")
    _remove(
        account=account,
        membership=target,
        actor=actor,
        action=Action.REVOKED,
        headline=f"Your access to {account.name} was removed",
        line=f"{actor.display_name} removed you from {account.name}.",
    )


@transaction.atomic(durable=True)
def revoke_member(*, account, membership_id: int, actor) -> None:
    """Delete the membership, the API keys the person created in the account and the pending
    invitations they sent. Their next request to the account is a 404."""
    account = _lock_account(account)
    actor_m = _actor_membership(account, actor, "members.revoke")
    _revoke(
        account=account, actor_m=actor_m, target=lock_member(account, membership_id), actor=actor
    )


@transaction.atomic(durable=True)
def bulk_revoke(*, account, membership_ids: list[int], actor) -> int:
    """Revoke several members at once: all of them, or (on any refusal) none."""
    account = _lock_account(account)
    actor_m = _actor_membership(account, actor, "members.revoke")
    ids = sorted(set(membership_ids))
    if not ids:
        raise NotAMember("Select at least one member.")
    targets = list(
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(account=account, pk__in=ids)
        .order_by("pk")
    )
    if len(targets) != len(ids):
        raise NotAMember("Some of the selected people are no longer members of this account.")
    for target in targets:
        _check_may_act_on(actor_m, target, verb="revoke")
    for target in targets:
        _revoke(account=account, actor_m=actor_m, target=target, actor=actor)
    return len(targets)


def is_last_membership(user) -> bool:
    return user.memberships.count() <= 1


@transaction.atomic(durable=True)
def leave_account(*, account, actor) -> bool:
    """The actor leaves. The Owner cannot (they transfer first). If it was their last account
    their login is deleted too; returns True in that case."""
    account = _lock_account(account)
    # Leaving needs no second factor (the 2FA page offers it), but a suspended member or a
    # closed account's member cannot act in it.
    membership = access.require(actor, account, lock=True, tolerate=access.TWO_FACTOR)
    if membership.role == Role.OWNER:
        raise OwnerCannotLeave(
            "The Owner cannot leave. Transfer ownership to an Admin first, then leave."
        )
    _remove(
        account=account,
        membership=membership,
        actor=actor,
        action=Action.LEFT,
        headline=f"You left {account.name}",
        line="You are no longer a member of this account.",
    )
    last = not actor.memberships.exists()
    if last:
        actor.delete()
    return last

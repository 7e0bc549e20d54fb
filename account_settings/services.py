"""Account-wide settings: name, two-factor requirement, billing access, notifications,
export, close, reopen and purge."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from account_settings.exceptions import (
    AccountAlreadyClosed,
    AccountNotClosed,
    AccountSettingsError,
    NotAllowed,
    ReopenWindowPassed,
)
from account_settings.export import stream_export
from accounts.emails import queue_email
from accounts.models import Account, TwoFactorMethods, User
from audit.models import Action
from audit.services import record_event
from invitations.models import Invitation, InvitationStatus
from invitations.services import cancel_invitations_sent_by
from memberships import access
from memberships.exceptions import MembershipError
from memberships.exceptions import NotAllowed as MembershipNotAllowed
from memberships.models import Membership, NotificationPreference


def _lock_account(account) -> Account:
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _require(actor, account, code: str, what: str, *, allow_closed: bool = False) -> Membership:
    """The actor's membership, if the access gate lets them into the (locked) account and
    their level holds `code`; NotAllowed or the gate's reason otherwise."""
    tolerate = {access.Refusal.ACCOUNT_CLOSED} if allow_closed else ()
    try:
        return access.require(actor, account, permission=code, tolerate=tolerate)
    except MembershipNotAllowed:
        raise NotAllowed(what) from None
    except MembershipError as refusal:
        raise AccountSettingsError(refusal.message) from None


@transaction.atomic(durable=True)
def rename_account(*, account, actor, name: str) -> Account:
    """Change the company name. The slug (and every URL) stays as it is."""
    account = _lock_account(account)
    _require(actor, account, "account.rename", "change the company name")
    name = " ".join(name.split())
    old_name = account.name
    if name == old_name:
        return account
    account.name = name
    account.save(update_fields=["name"])
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_RENAMED,
        target_label=account.slug,
        old_value=old_name,
        new_value=name,
    )
    return account


def _switch(account, actor, field: str, value: bool, label: str) -> Account:
    """Save one on/off setting of the (locked) account and log it."""
    setattr(account, field, value)
    account.save(update_fields=[field])
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_SETTINGS_CHANGED,
        target_label=label,
        old_value="off" if value else "on",
        new_value="on" if value else "off",
    )
    return account


@transaction.atomic(durable=True)
def set_require_2fa(*, account, actor, required: bool, methods: str | None = None) -> Account:
    """Turn the account's two-factor requirement on or off, and choose which second factors
    meet it (`methods`, a TwoFactorMethods value: any, or an app or a security key only).

    Requiring it needs the actor to have a factor that counts themself (or they would lock
    themself out). Members without one are then emailed and sent to set one up on their
    next page in this account; so are members whose only factor is text messages when the
    Owner narrows the methods while 2FA is required. The view asks for recent
    re-authentication before turning it off or widening the methods.
    """
    account = _lock_account(account)
    _require(actor, account, "security.require_2fa", "change the two-factor requirement")
    methods = methods or account.two_factor_methods
    if methods not in TwoFactorMethods.values:
        raise AccountSettingsError("Choose which two-factor methods count.")
    if account.require_2fa == required and account.two_factor_methods == methods:
        return account
    if required and not access.has_second_factor(actor, sms_counts=methods == TwoFactorMethods.ANY):
        raise AccountSettingsError(
            "Set up two-factor authentication for yourself before requiring it of everyone."
            if methods == TwoFactorMethods.ANY
            else "Set up an authenticator app or a security key for yourself before "
            "requiring one of everyone."
        )
    narrowed = methods == TwoFactorMethods.APP_OR_KEY != account.two_factor_methods
    if account.two_factor_methods != methods:
        old = TwoFactorMethods(account.two_factor_methods).label
        account.two_factor_methods = methods
        account.save(update_fields=["two_factor_methods"])
        record_event(
            account=account,
            actor=actor,
            action=Action.ACCOUNT_SETTINGS_CHANGED,
            target_label="Two-factor methods that count",
            old_value=old,
            new_value=TwoFactorMethods(methods).label,
        )
    if account.require_2fa != required:
        account = _switch(
            account, actor, "require_2fa", required, "Require two-factor authentication"
        )
        if required:
            _tell_members_without_2fa(account, actor)
    elif required and narrowed:
        _tell_members_without_2fa(account, actor)
    return account


def _tell_members_without_2fa(account, actor) -> None:
    """Email each active member who has no second factor that counts here yet: they are
    the ones whose next visit is stopped until they set one up. Members who have one notice
    nothing, and suspended members meet the demand only if they are reactivated; neither
    is emailed. One email per person, so nobody sees the others' addresses."""
    sms_counts = access.sms_counts_in(account)
    emails = (
        Membership.objects.active()
        .filter(account=account)
        .exclude(access.second_factor_filter(sms_counts=sms_counts))
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    overview_path = reverse("overview", kwargs={"slug": account.slug})
    # Where text messages count, the account's set-up page offers them beside the app.
    setup_path = (
        reverse("two_factor_required", kwargs={"slug": account.slug})
        if sms_counts
        else f"{reverse('mfa_activate_totp')}?{urlencode({'next': overview_path})}"
    )
    context = {
        "account_name": account.name,
        "actor_name": actor.display_name,
        "sms_counts": sms_counts,
        "setup_path": setup_path,
    }
    for email in emails:
        queue_email(to=[email], template="two_factor_required", context=context)


@transaction.atomic(durable=True)
def set_admins_can_manage_billing(*, account, actor, allowed: bool) -> Account:
    """Let Admins open Billing (or stop them). Only the Owner may."""
    account = _lock_account(account)
    _require(actor, account, "billing.allow_admins", "change who manages billing")
    if account.admins_can_manage_billing == allowed:
        return account
    return _switch(
        account, actor, "admins_can_manage_billing", allowed, "Admins can manage billing"
    )


@transaction.atomic(durable=True)
def update_notification_preferences(
    *, membership, actor, on_joined: bool, on_left: bool, on_level_changed: bool
) -> NotificationPreference:
    """Save which member events `membership` is emailed about. Only its own member may."""
    if actor is None or actor.pk != membership.user_id:
        raise AccountSettingsError("You can only change your own notification settings.")
    try:
        access.require(actor, membership.account)
    except MembershipError as refusal:
        raise AccountSettingsError(refusal.message) from None
    preference, _created = NotificationPreference.objects.get_or_create(membership=membership)
    values = {"on_joined": on_joined, "on_left": on_left, "on_level_changed": on_level_changed}
    changed = [name for name, value in values.items() if getattr(preference, name) != value]
    if changed:
        for name in changed:
            setattr(preference, name, values[name])
        preference.save(update_fields=[*changed, "updated_at"])
    return preference


@transaction.atomic(durable=True)
def export_account(*, account, actor):
    """Record the export and return the ZIP as an iterator of bytes.

    The rows are read while the response streams, after this transaction has committed.
    """

    account = _lock_account(account)
    _require(actor, account, "account.export", "export the account")
    record_event(
        account=account, actor=actor, action=Action.ACCOUNT_EXPORTED, target_label=account.name
    )
    return stream_export(account)


def reopen_deadline(account):
    return account.closed_at + settings.CLOSED_ACCOUNT_RETENTION


def _member_emails(account) -> list[str]:
    return list(
        Membership.objects.filter(account=account)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _cancel_pending_invitations(*, account, actor) -> int:
    """Cancel every pending invitation through the invitations service (one call per inviter,
    including invitations whose inviter has been deleted)."""

    inviter_ids = set(
        Invitation.objects.filter(account=account, status=InvitationStatus.PENDING)
        .values_list("invited_by", flat=True)
        .distinct()
    )
    inviters = list(User.objects.filter(pk__in=inviter_ids - {None}))
    if None in inviter_ids:
        inviters.append(None)
    return sum(
        cancel_invitations_sent_by(account=account, user=inviter, actor=actor)
        for inviter in inviters
    )


@transaction.atomic(durable=True)
def close_account(*, account, actor) -> Account:
    """Close the account: members see the "closed" page, pending invitations are cancelled,
    API keys stop working (authentication refuses closed accounts), every member is emailed.

    The Owner can reopen it until CLOSED_ACCOUNT_RETENTION has passed; then
    `purge_closed_accounts` deletes it.
    """
    # Lock the account: an invitation or plan change racing the close must see it closed.
    account = _lock_account(account)
    if account.is_closed:
        raise AccountAlreadyClosed()
    _require(actor, account, "account.close", "close the account")
    account.closed_at = timezone.now()
    account.closed_by = actor
    account.save(update_fields=["closed_at", "closed_by"])
    _cancel_pending_invitations(account=account, actor=actor)
    record_event(
        account=account, actor=actor, action=Action.ACCOUNT_CLOSED, target_label=account.name
    )
    deadline = reopen_deadline(account)
    context = {
        "account_name": account.name,
        "closed_by": actor.display_name,
        "closed_at": account.closed_at.isoformat(),
        "delete_on": f"{deadline:%d %b %Y}",
        "reopen_path": reverse("account_settings:reopen", kwargs={"slug": account.slug}),
    }
    for email in _member_emails(account):
        queue_email(to=email, template="account_closed", context=context)
    return account


def _restore_invitations_cancelled_by_close(*, account) -> int:
    """Pending again: invitations the close cancelled that have not expired since.

    While an account is closed nothing else can cancel or send its invitations, so the ones
    cancelled at or after `closed_at` are exactly the close's. Their links work again.
    """

    return Invitation.objects.filter(
        account=account,
        status=InvitationStatus.CANCELLED,
        responded_at__gte=account.closed_at,
        expires_at__gt=timezone.now(),
    ).update(status=InvitationStatus.PENDING, responded_at=None)


@transaction.atomic(durable=True)
def reopen_account(*, account, actor) -> Account:
    """Reopen a closed account within the retention window. Only the Owner may.

    Members and API keys work again, and invitations cancelled by the close that have not
    expired are pending again (their links work).
    """
    account = _lock_account(account)
    if not account.is_closed:
        raise AccountNotClosed()
    _require(actor, account, "account.reopen", "reopen the account", allow_closed=True)
    deadline = reopen_deadline(account)
    if timezone.now() >= deadline:
        raise ReopenWindowPassed(deadline)
    old = account.closed_at
    restored = _restore_invitations_cancelled_by_close(account=account)
    account.closed_at = None
    account.closed_by = None
    account.save(update_fields=["closed_at", "closed_by"])
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_REOPENED,
        target_label=account.name,
        old_value=f"closed {old:%Y-%m-%d %H:%M} UTC",
        new_value=f"{restored} invitation{'s' if restored != 1 else ''} restored",
    )
    context = {
        "account_name": account.name,
        "reopened_by": actor.display_name,
        "overview_path": reverse("overview", kwargs={"slug": account.slug}),
    }
    for email in _member_emails(account):
        queue_email(to=email, template="account_reopened", context=context)
    return account


def purge_closed_accounts(*, now=None) -> int:
    """Delete, with everything in them, accounts closed longer than CLOSED_ACCOUNT_RETENTION.

    Safe to run repeatedly: returns how many accounts it deleted (0 when none are due).
    Each account is deleted in its own transaction, re-checked under a row lock so an
    account reopened meanwhile is kept.
    """
    cutoff = (now or timezone.now()) - settings.CLOSED_ACCOUNT_RETENTION
    due = list(
        Account.objects.filter(closed_at__isnull=False, closed_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    deleted = 0
    for pk in due:
        with transaction.atomic(durable=True):
            account = (
                Account.objects.select_for_update()
                .filter(pk=pk, closed_at__isnull=False, closed_at__lte=cutoff)
                .first()
            )
            if account is not None:
                account.delete()
                deleted += 1
    return deleted

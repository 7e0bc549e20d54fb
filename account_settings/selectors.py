"""Reads for the Settings, Close account and Notification settings pages."""

from django.db.models import prefetch_related_objects

from accounts.models import TwoFactorMethods
from apikeys.models import ApiKey
from billing.models import Invoice
from invitations.selectors import pending_invitation_count
from memberships import access
from memberships.models import Membership, NotificationPreference
from memberships.notifications import NOTIFIED_PERMISSION


def members_without_2fa(account, *, methods: str | None = None):
    """Members (active or suspended) with no second factor that counts in `account`, in one
    query: under `methods` (TwoFactorMethods; the account's own choice by default) text
    messages count or not. The definition is the gate's (access.second_factor_filter).
    """
    methods = methods or account.two_factor_methods
    return (
        Membership.objects.filter(account=account)
        .exclude(access.second_factor_filter(sms_counts=methods == TwoFactorMethods.ANY))
        .select_related("user")
        .order_by("user__email")
    )


def closing_summary(account) -> dict:
    """What closing `account` takes away, counted by the database."""

    return {
        "members": Membership.objects.filter(account=account).count(),
        "pending_invitations": pending_invitation_count(account),
        "api_keys": ApiKey.objects.filter(account=account).count(),
        "invoices": Invoice.objects.filter(account=account).count(),
        "activity_events": account.activity.count(),
    }


def notification_memberships(user) -> list[Membership]:
    """The user's memberships where the access gate lets them in and their level gets
    member-event emails, with their saved preference."""
    memberships = access.memberships_with_access(user, permission=NOTIFIED_PERMISSION)
    prefetch_related_objects(memberships, "notification_preference")
    return memberships


def preference_for(membership) -> NotificationPreference:
    """The saved preference, or an unsaved one holding the defaults (all on)."""
    try:
        return membership.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(membership=membership)

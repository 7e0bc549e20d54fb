"""Reads for the Settings, Close account and Notification settings pages."""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, prefetch_related_objects

from apikeys.models import ApiKey
from billing.models import Invoice
from invitations.selectors import pending_invitation_count
from memberships import access
from memberships.models import Membership, NotificationPreference
from memberships.notifications import NOTIFIED_PERMISSION


def members_without_2fa(account):
    """Members (active or suspended) with no second factor, in one query.

    Recovery codes alone do not count, as in allauth's own is_mfa_enabled checks for login.
    """
    has_mfa = Authenticator.objects.filter(user_id=OuterRef("user_id")).exclude(
        type=Authenticator.Type.RECOVERY_CODES
    )
    return (
        Membership.objects.filter(account=account)
        .annotate(has_mfa=Exists(has_mfa))
        .filter(has_mfa=False)
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

from django.conf import settings
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    LEVEL_CHANGED = "member.level_changed", "Level changed"
    SUSPENDED = "member.suspended", "Suspended"
    REACTIVATED = "member.reactivated", "Reactivated"
    REVOKED = "member.revoked", "Access revoked"
    LEFT = "member.left", "Left the account"
    JOINED = "member.joined", "Joined"
    ACCESS_UNTIL_CHANGED = "member.access_until_changed", "Access end date changed"
    OWNERSHIP_TRANSFERRED = "account.ownership_transferred", "Ownership transferred"
    # Ownership transfer with acceptance (transfers app): offered, then one of these.
    OWNERSHIP_TRANSFER_OFFERED = "account.ownership_transfer_offered", "Ownership transfer offered"
    OWNERSHIP_TRANSFER_DECLINED = (
        "account.ownership_transfer_declined",
        "Ownership transfer declined",
    )
    OWNERSHIP_TRANSFER_CANCELLED = (
        "account.ownership_transfer_cancelled",
        "Ownership transfer cancelled",
    )
    OWNERSHIP_TRANSFER_EXPIRED = "account.ownership_transfer_expired", "Ownership transfer expired"
    # Requests to join (joining app).
    JOIN_REQUESTED = "join_request.sent", "Request to join sent"
    JOIN_REQUEST_APPROVED = "join_request.approved", "Request to join approved"
    JOIN_REQUEST_DENIED = "join_request.denied", "Request to join denied"
    JOIN_REQUEST_WITHDRAWN = "join_request.withdrawn", "Request to join withdrawn"
    JOIN_REQUEST_EXPIRED = "join_request.expired", "Request to join expired"
    JOIN_REQUEST_CLOSED = "join_request.closed", "Request to join closed"
    TWO_FACTOR_RESET = "member.2fa_reset", "Two-factor authentication reset"
    INVITATION_SENT = "invitation.sent", "Invitation sent"
    INVITATION_RESENT = "invitation.resent", "Invitation resent"
    INVITATION_CANCELLED = "invitation.cancelled", "Invitation cancelled"
    INVITATION_EXPIRED = "invitation.expired", "Invitation expired"
    INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
    INVITATION_DECLINED = "invitation.declined", "Invitation declined"
    ACCOUNT_RENAMED = "account.renamed", "Company name changed"
    ACCOUNT_SETTINGS_CHANGED = "account.settings_changed", "Settings changed"
    ACCOUNT_EXPORTED = "account.exported", "Account exported"
    ACCOUNT_CLOSED = "account.closed", "Account closed"
    ACCOUNT_REOPENED = "account.reopened", "Account reopened"
    PLAN_CHANGED = "billing.plan_changed", "Plan changed"
    BILLING_ADDRESS_CHANGED = "billing.address_changed", "Billing address changed"
    APIKEY_CREATED = "apikey.created", "API key created"
    APIKEY_REGENERATED = "apikey.regenerated", "API key regenerated"
    APIKEY_DELETED = "apikey.deleted", "API key deleted"
    PROVISIONED = "member.provisioned", "Provisioned by SCIM"
    NAME_CHANGED = "member.name_changed", "Name changed"
    SCIM_TOKEN_CREATED = "scim.token_created", "SCIM token created"
    SCIM_TOKEN_REVOKED = "scim.token_revoked", "SCIM token revoked"


class ActivityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The activity log is append-only.")

    def delete(self):
        raise PermissionError("The activity log is append-only.")


class ActivityEvent(models.Model):
    """One row per change: who did what to whom, old and new values, when and from where.

    Append-only: the site offers no edit or delete, and the model refuses them.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="activity"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    # Who acted when it was not the person themselves, e.g. "SCIM (Okta)" for a change an
    # identity provider made with a token (actor is then the token's creator).
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=64, choices=Action.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_label = models.CharField(max_length=254, blank=True)
    old_value = models.CharField(max_length=254, blank=True)
    new_value = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActivityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at", "-id"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The activity log is append-only.")

    @property
    def actor_name(self) -> str:
        """The actor's name ("" without one); load the rows with select_related("actor")."""
        return self.actor.get_full_name() if self.actor_id else ""

    @property
    def target_name(self) -> str:
        """The target person's name ("" without one); select_related("target_user")."""
        return self.target_user.get_full_name() if self.target_user_id else ""

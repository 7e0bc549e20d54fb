"""SCIM provisioning: an account's settings, its tokens, and the identity provider's ids."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.roles import Role


class Provisioning(models.Model):
    """Whether SCIM is on for an account, and the level given to people who carry none."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="scim_provisioning"
    )
    enabled = models.BooleanField(default=False)
    default_level = models.CharField(
        "level for provisioned people", max_length=20, choices=Role.choices, default=Role.VIEWER
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(default_level=Role.OWNER), name="scim_default_level_not_owner"
            )
        ]

    def __str__(self):
        return f"SCIM for {self.account_id}: {'on' if self.enabled else 'off'}"


class ScimToken(models.Model):
    """A bearer token an identity provider uses; it acts with its creator's CURRENT access.

    Like API keys: the full token (``scim_<prefix>_<secret>``) is shown once; the database
    keeps the public prefix and the SHA-256 of 32 random bytes. Revoking keeps the row (the
    list shows when it was revoked) and the token stops working on the next request.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def display_prefix(self) -> str:
        return f"{settings.SCIM_TOKEN_PREFIX}_{self.prefix}_…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def actor_label(self) -> str:
        """How the activity log names a change this token made."""
        return f"SCIM ({self.name})"


class ScimIdentity(models.Model):
    """The identity provider's `externalId` for a membership (gone with the membership)."""

    membership = models.OneToOneField(
        "memberships.Membership", on_delete=models.CASCADE, related_name="scim_identity"
    )
    external_id = models.CharField(max_length=254)

    class Meta:
        indexes = [models.Index(fields=["external_id"])]

    def __str__(self):
        return self.external_id

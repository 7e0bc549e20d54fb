"""API keys: one account, one creator, a secret stored only as a SHA-256 hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    """A key acts with the CURRENT level of its creator in its account.

    The full key (``rk_<prefix>_<secret>``) is shown once; the database keeps the public
    prefix (to find the row and to show in lists) and the SHA-256 of the secret. The secret
    is 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="api_keys"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField("expires", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    regenerated_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField("last used", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_by"])]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def display_prefix(self) -> str:
        return f"{settings.API_KEY_PREFIX}_{self.prefix}_…"

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

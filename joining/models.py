from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role

# How long a request waits for an Owner's or Admin's answer.
JOIN_REQUEST_EXPIRY = timedelta(days=30)
NOTE_MAX_LENGTH = 500


class JoinLink(models.Model):
    """An account's shareable join link (/join/<token>/), made when an Owner or Admin first
    turns on "people can ask to join"; regenerating it makes the old link stop working.

    The token is kept to be shown again on the settings page (it only lets a signed-in
    person ask; an Owner or Admin still decides). Links are looked up by the token's SHA-256
    digest, which is compared in constant time.
    """

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    token = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Join link of account {self.account_id}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    # The account stopped taking requests (an Owner or Admin turned them off).
    CLOSED = "closed", "Closed"


class JoinRequestQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        """Pending and not past their expiry: the ones an Owner or Admin can still answer."""
        return self.filter(status=JoinRequestStatus.PENDING, expires_at__gt=now or timezone.now())

    def due_to_expire(self, *, now=None):
        return self.filter(status=JoinRequestStatus.PENDING, expires_at__lte=now or timezone.now())


class JoinRequest(models.Model):
    """A signed-in person's request to join an account. It takes no seat and counts against
    no invitation cap: only approving it makes a membership (joining.services)."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=20, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The level an approval gave.
    role = models.CharField("level", max_length=20, choices=Role.choices, blank=True)

    objects = JoinRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "user"],
                condition=Q(status="pending"),
                name="join_request_one_pending_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(role="owner") & (Q(role="") | Q(role__in=Role.values)),
                name="join_request_role_valid",
            ),
        ]
        indexes = [
            # The Users page lists an account's pending requests, oldest first.
            models.Index(
                fields=["account", "created_at"],
                condition=Q(status="pending"),
                name="join_request_pending",
            ),
            # The scheduled job finds pending requests past their expiry.
            models.Index(
                fields=["expires_at"],
                condition=Q(status="pending"),
                name="join_request_pending_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.user} asks to join {self.account} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == JoinRequestStatus.EXPIRED or (
            self.status == JoinRequestStatus.PENDING and self.expires_at <= timezone.now()
        )

    @property
    def is_open(self) -> bool:
        return self.status == JoinRequestStatus.PENDING and not self.is_expired

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# How long the chosen Admin has to accept or decline.
TRANSFER_EXPIRY = timedelta(days=7)


class TransferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for acceptance"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class OwnershipTransferQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        """Pending and not past their expiry: the ones that can still be accepted."""
        return self.filter(status=TransferStatus.PENDING, expires_at__gt=now or timezone.now())

    def due_to_expire(self, *, now=None):
        return self.filter(status=TransferStatus.PENDING, expires_at__lte=now or timezone.now())


class OwnershipTransfer(models.Model):
    """The Owner's offer of an account's ownership to one of its Admins.

    Nothing changes in the account until the Admin accepts (transfers.services.accept_transfer).
    People, not memberships, are named: a membership can be deleted and made again while the
    offer waits, and the acceptance re-reads both under the account lock anyway.
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="ownership_transfers"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = OwnershipTransferQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="pending"),
                name="transfer_one_pending_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")), name="transfer_not_to_self"
            ),
        ]
        indexes = [
            # The scheduled job finds pending transfers past their expiry.
            models.Index(
                fields=["expires_at"], condition=Q(status="pending"), name="transfer_pending_expiry"
            ),
        ]

    def __str__(self):
        return f"{self.account} from {self.from_user} to {self.to_user} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.status == TransferStatus.EXPIRED or (
            self.status == TransferStatus.PENDING and self.expires_at <= timezone.now()
        )

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.PENDING and not self.is_expired

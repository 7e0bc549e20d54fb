from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not delivered"


class InvitationQuerySet(models.QuerySet):
    def pending(self, *, now=None):
        """Pending and not past their expiry (the ones that hold a seat and a working link)."""
        return self.filter(status=InvitationStatus.PENDING, expires_at__gt=now or timezone.now())

    def due_to_expire(self, *, now=None):
        return self.filter(status=InvitationStatus.PENDING, expires_at__lte=now or timezone.now())


class Invitation(models.Model):
    """An emailed, single-use offer to join an account at a level.

    Only the SHA-256 digest of the link's token is stored; the raw token exists only in the
    email (it is made by the sending task, never written to the database or the task queue).
    """

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(max_length=254)
    role = models.CharField("level", max_length=20, choices=Role.choices, default=Role.VIEWER)
    message = models.TextField("personal message", max_length=1000, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # Carried into the membership on accept (see Membership.access_until).
    access_until = models.DateTimeField("access until", null=True, blank=True)
    # From a CSV invite: offered on the accept page's sign-up form.
    first_name = models.CharField(max_length=150, blank=True, default="", db_default="")
    last_name = models.CharField(max_length=150, blank=True, default="", db_default="")
    status = models.CharField(
        max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 hex digest of the current link's token; empty until the first email is built.
    token_hash = models.CharField(max_length=64, blank=True, default="")
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Resends in the current 24-hour window (at most INVITATION_RESENDS_PER_DAY).
    resend_window_started_at = models.DateTimeField(null=True, blank=True)
    resends_in_window = models.PositiveSmallIntegerField(default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~Q(token_hash=""),
                name="invitation_token_hash_unique",
            ),
            models.CheckConstraint(
                condition=~Q(role="owner") & Q(role__in=Role.values),
                name="invitation_role_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status", "created_at"]),
            # "Is there a newer invitation to this address?" on the Users page.
            models.Index(
                fields=["account", "email", "created_at"], name="invitation_acct_email_created"
            ),
            # The Users page lists an account's invitations newest first, 25 at a time.
            models.Index(fields=["account", "-created_at", "-id"], name="invitation_acct_newest"),
            # Pending invitations past their expiry (the Users page's seat count subtracts
            # them from PendingInvitationCount; `expire_invitations` finds them).
            models.Index(
                fields=["account", "expires_at"],
                condition=Q(status="pending"),
                name="invitation_pending_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.account} ({self.status})"

    @property
    def is_expired(self) -> bool:
        return self.is_expired_at(timezone.now())

    def is_expired_at(self, now) -> bool:
        return self.status == InvitationStatus.EXPIRED or (
            self.status == InvitationStatus.PENDING and self.expires_at <= now
        )

    @property
    def is_open(self) -> bool:
        """Pending and not past its expiry: the link can be accepted."""
        return self.status == InvitationStatus.PENDING and not self.is_expired

    @property
    def state_label(self) -> str:
        return "Expired" if self.is_expired else self.get_status_display()

    @property
    def delivery_failed(self) -> bool:
        return self.delivery_status == DeliveryStatus.FAILED


class PendingInvitationCount(models.Model):
    """How many pending invitations (past their expiry or not) an account has, so the Users
    page's numbers never count 1,000 invitation rows on every view.

    Triggers keep it on every insert, delete and status or account change of an invitation,
    whatever makes it (invitations migration 0004 on PostgreSQL, config/sqlite_triggers.py
    on SQLite); `manage.py reconcile_member_counts` repairs writes made with triggers off.
    Read it through people.users_page, never write it.
    """

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    pending = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.pending} pending invitations in account {self.account_id}"

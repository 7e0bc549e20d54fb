"""A person's mobile number as a second factor, the codes sent to it, and their security
history.

Codes are never stored: a challenge keeps only a keyed hash of its code (HMAC with the
SECRET_KEY and a per-code salt), so the tables alone do not give a code away, even to
someone who tries all million of them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


def masked(number: str) -> str:
    """`•••• •• 1234`: how a number is shown anywhere but the person's own settings."""
    return f"•••• •• {number[-4:]}" if number else ""


class PhoneNumber(models.Model):
    """The number a person's codes go to. Usable for 2FA only once verified.

    Changing the number clears `verified_at`; SMS 2FA (`two_factor_since`) stays chosen and
    works again once the new number is verified.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_phone"
    )
    number = models.CharField(max_length=20)
    verified_at = models.DateTimeField(null=True, blank=True)
    two_factor_since = models.DateTimeField(
        "text-message two-factor on since", null=True, blank=True
    )

    def __str__(self):
        return masked(self.number)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def two_factor_active(self) -> bool:
        return self.verified_at is not None and self.two_factor_since is not None

    @property
    def masked(self) -> str:
        return masked(self.number)


class Purpose(models.TextChoices):
    VERIFY = "verify", "Verify the number"
    LOGIN = "login", "Sign in"
    REAUTH = "reauth", "Confirm it is you"


class Delivery(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not delivered"


class Challenge(models.Model):
    """One code sent for one purpose, bound to what asked for it (`bound_to`: the login
    attempt, the re-authentication or the number being verified). Valid SMS_CODE_TTL, single
    use, SMS_CODE_MAX_TRIES wrong tries. The task that sends it makes the code and stores its
    hash (`code_hash`), so the code is never in the task queue either."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sms_challenges"
    )
    number = models.CharField(max_length=20)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    bound_to = models.CharField(max_length=64)
    salt = models.CharField(max_length=32, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.QUEUED)
    last_error = models.CharField(max_length=200, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # What the per-IP send limit counts: the IPv4 address, or the /64 of an IPv6 one (one
    # client usually holds a whole /64 and could otherwise pick a fresh address per code).
    ip_bucket = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "purpose", "bound_to", "-created_at"]),
            models.Index(fields=["number", "purpose", "-created_at"]),
            models.Index(fields=["ip_bucket", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} code to {masked(self.number)}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class SecurityAction(models.TextChoices):
    NUMBER_VERIFIED = "sms.number_verified", "Mobile number verified"
    NUMBER_REMOVED = "sms.number_removed", "Mobile number removed"
    NUMBER_UNVERIFIED = "sms.number_unverified", "Mobile number to be verified again"
    TWO_FACTOR_ON = "sms.2fa_on", "Text-message two-factor turned on"
    TWO_FACTOR_OFF = "sms.2fa_off", "Text-message two-factor turned off"
    CODE_SENT = "sms.code_sent", "Code sent by text message"
    CODE_NOT_SENT = "sms.code_not_sent", "Code could not be sent"
    TOO_MANY_TRIES = "sms.too_many_tries", "Too many wrong codes"


class SecurityEvent(models.Model):
    """The person's own security history (append-only): what happened to their second
    factors, from where. Never holds a code; numbers are masked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events"
    )
    action = models.CharField(max_length=40, choices=SecurityAction.choices)
    detail = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.detail}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The security history is append-only.")
        super().save(*args, **kwargs)

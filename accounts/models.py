import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.plans import PlanCode, get_plan
from accounts.validators import validate_e164

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


def normalize_email(email: str) -> str:
    """Emails are one person regardless of case: store them lower-cased."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalize_email(email))

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", max_length=254, unique=True)
    first_name = models.CharField("first name", max_length=150, blank=True)
    last_name = models.CharField("last name", max_length=150, blank=True)
    mobile = models.CharField(
        "mobile number",
        max_length=20,
        blank=True,
        validators=[validate_e164],
        help_text="E.164, for example +34612345678.",
    )
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    must_set_up_2fa = models.BooleanField(
        "must set up two-factor authentication",
        default=False,
        help_text="Set when an Owner or Admin resets this person's 2FA; cleared once set up.",
    )
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def display_name(self):
        return self.get_full_name() or self.email


class AccountQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class TwoFactorMethods(models.TextChoices):
    ANY = "any", "Any method, text message included"
    APP_OR_KEY = "app_or_key", "Authenticator app or security key only"


class Account(models.Model):
    """A tenant: one customer company and the people in it."""

    name = models.CharField("company or organization name", max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    plan = models.CharField(max_length=20, choices=PlanCode.choices, default=PlanCode.FREE)
    created_at = models.DateTimeField(default=timezone.now)
    admins_can_manage_billing = models.BooleanField(default=False)
    require_2fa = models.BooleanField("require two-factor authentication", default=False)
    two_factor_methods = models.CharField(
        "two-factor methods that count",
        max_length=20,
        choices=TwoFactorMethods.choices,
        default=TwoFactorMethods.ANY,
        help_text=(
            "Which second factors meet “Require 2FA”: text messages are the weakest (SIM swap)."
        ),
    )
    join_requests_enabled = models.BooleanField(
        "people can ask to join",
        default=False,
        help_text=(
            "Signed-in people with a verified email may request to join through the account's "
            "join link."
        ),
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @cached_property
    def plan_info(self):
        return get_plan(self.plan)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import Role
from memberships.permissions import role_has_permission


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MembershipStatus.ACTIVE)


class Membership(models.Model):
    """A person's place in an account: one per user and account, one Owner per account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("level", max_length=20, choices=Role.choices, default=Role.VIEWER)
    status = models.CharField(
        max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    created_at = models.DateTimeField("joined", default=timezone.now)
    # A copy of user.email, kept by database triggers (migration 0002 on PostgreSQL,
    # config/sqlite_triggers.py on SQLite) on every insert and
    # update of a membership and every change of a user's email, so the Users page can page
    # through 10,000 members in email order from one index instead of joining and sorting
    # them all. Read it for ordering only; show user.email.
    user_email = models.CharField(max_length=254, default="", editable=False)
    # "Access until": set by an Owner or Admin (never by the member, never on the Owner) as
    # the end of a day in the setter's time zone; people.services.expire_access suspends the
    # membership then. Who set it is emailed with the member 7 days and 1 day before;
    # `access_reminded_days` is the last of those reminders sent for the current date (None
    # until the first), so each goes once.
    access_until = models.DateTimeField("access until", null=True, blank=True)
    access_until_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    access_reminded_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set only by the expiry job when it suspends the membership because access_until passed,
    # cleared by any other status change: moving the date reactivates only such a suspension,
    # never one an Owner or Admin made by hand.
    suspended_by_expiry = models.BooleanField(default=False, db_default=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="membership_one_per_user"),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(role="owner"),
                name="membership_one_owner_per_account",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=~Q(role="owner") | Q(status="active"),
                name="membership_owner_is_active",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "role", "status"]),
            models.Index(fields=["account", "user_email", "id"], name="membership_email_order"),
            # The few memberships with an end date: the expiry job and "expires soon".
            models.Index(
                fields=["account", "access_until"],
                condition=Q(access_until__isnull=False),
                name="membership_access_until",
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.account} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    def access_expires_within(self, delta, *, now=None) -> bool:
        """Active, not the Owner, and its access ends within `delta` from now."""
        if self.access_until is None or not self.is_active or self.is_owner:
            return False
        return self.access_until <= (now or timezone.now()) + delta

    def can(self, code: str) -> bool:
        return self.is_active and role_has_permission(self.role, code, account=self.account)


class MemberCount(models.Model):
    """How many memberships (active and suspended) an account has, for the Users page's seat
    and page counts without counting 10,000 rows on every view.

    Triggers keep it on every insert, delete and move of a membership, whatever makes it
    (ORM, bulk_create, cascades, raw SQL): migration 0003 on PostgreSQL,
    config/sqlite_triggers.py on SQLite. Read it through people.users_page, never
    write it.
    """

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    members = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.members} members in account {self.account_id}"


class NotificationPreference(models.Model):
    """Which member events an Owner or Admin is emailed about, in one account.

    No row means the defaults: every event on (only Owners and Admins are ever asked).
    """

    membership = models.OneToOneField(
        "memberships.Membership", on_delete=models.CASCADE, related_name="notification_preference"
    )
    on_joined = models.BooleanField("someone joins", default=True)
    on_left = models.BooleanField("someone leaves or is removed", default=True)
    on_level_changed = models.BooleanField("someone's level changes", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    EVENT_FIELDS = {"joined": "on_joined", "left": "on_left", "level_changed": "on_level_changed"}

    def __str__(self):
        return f"Notifications for {self.membership}"

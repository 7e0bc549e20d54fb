from django.db import models


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

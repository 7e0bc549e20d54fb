from django.contrib import admin

from account_settings.models import NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["membership", "on_joined", "on_left", "on_level_changed", "updated_at"]
    raw_id_fields = ["membership"]

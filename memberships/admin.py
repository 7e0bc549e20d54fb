from django.contrib import admin

from memberships.models import Membership, NotificationPreference


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "status", "created_at"]
    list_filter = ["role", "status", "account__plan"]
    search_fields = ["user__email", "account__name", "account__slug"]
    raw_id_fields = ["user", "account"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["membership", "on_joined", "on_left", "on_level_changed", "updated_at"]
    raw_id_fields = ["membership"]

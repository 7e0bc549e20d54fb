from django.contrib import admin

from audit.models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "actor_email", "action", "target_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["account__name", "actor_email", "target_label"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

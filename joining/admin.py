from django.contrib import admin

from joining.models import JoinRequest


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    """Read-only: requests change through joining.services (and their activity log) only.
    Join links are not listed: their tokens are the account's to share."""

    list_display = ["user", "account", "status", "role", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "account__name"]
    list_select_related = ["user", "account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

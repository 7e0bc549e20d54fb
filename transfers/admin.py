from django.contrib import admin

from transfers.models import OwnershipTransfer


@admin.register(OwnershipTransfer)
class OwnershipTransferAdmin(admin.ModelAdmin):
    """Read-only: transfers change through transfers.services (and their activity log) only."""

    list_display = ["account", "from_user", "to_user", "status", "created_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["account__name", "from_user__email", "to_user__email"]
    list_select_related = ["account", "from_user", "to_user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

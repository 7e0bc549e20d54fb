from django.contrib import admin

from invitations.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations change through the services (and their activity log) only."""

    list_display = [
        "email",
        "account",
        "role",
        "status",
        "delivery_status",
        "created_at",
        "expires_at",
    ]
    list_filter = ["status", "delivery_status", "role"]
    search_fields = ["email", "account__name"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

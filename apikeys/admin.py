from django.contrib import admin

from apikeys.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "account", "created_by", "created_at", "last_used_at"]
    list_select_related = ["account", "created_by"]
    search_fields = ["name", "prefix", "account__name", "created_by__email"]
    # The hash is never useful to a person; keys are changed through the site's services.
    exclude = ["secret_hash"]
    readonly_fields = ["prefix", "account", "created_by", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

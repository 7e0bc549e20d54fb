"""The staff back office (/django-admin/): people, accounts and their memberships."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Account, User
from memberships.models import Membership, NotificationPreference
from sms.models import masked


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "time_zone"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["first_name", "last_name", "mobile_masked", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    # The mobile number receives 2FA codes: staff see it masked and cannot change it (only
    # the person can, with re-authentication and a new verification; issue 18).
    readonly_fields = ["mobile_masked"]

    @admin.display(description="mobile number")
    def mobile_masked(self, user) -> str:
        return masked(user.mobile) or "-"


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "plan", "created_at", "closed_at"]
    list_filter = ["plan", "require_2fa", "admins_can_manage_billing"]
    search_fields = ["name", "slug"]
    readonly_fields = ["slug", "created_at"]
    inlines = [MembershipInline]


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

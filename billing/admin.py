from django.contrib import admin

from billing.models import BillingAddress, Invoice


@admin.register(BillingAddress)
class BillingAddressAdmin(admin.ModelAdmin):
    list_display = ["account", "contact_name", "city", "country", "updated_at"]
    search_fields = ["account__name", "contact_name", "billing_email"]
    raw_id_fields = ["account"]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "issued_at", "plan", "amount_cents", "currency", "status"]
    list_filter = ["status", "plan"]
    search_fields = ["number", "account__name"]
    raw_id_fields = ["account", "created_by"]
    readonly_fields = ["number", "sequence", "amount_cents", "currency", "bill_to"]

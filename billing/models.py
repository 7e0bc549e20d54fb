"""Billing records: the account's billing address and one invoice per plan change.

There is no payment provider: invoice amounts come from settings.PLAN_PRICES.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.plans import PlanCode, get_plan


class BillingAddress(models.Model):
    """Who and where invoices are addressed to; one per account."""

    account = models.OneToOneField(
        "accounts.Account", on_delete=models.CASCADE, related_name="billing_address"
    )
    contact_name = models.CharField("billing contact name", max_length=120)
    company = models.CharField("company", max_length=120, blank=True)
    address_line1 = models.CharField("address line 1", max_length=200)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    postal_code = models.CharField("postal code", max_length=20, blank=True)
    city = models.CharField("city", max_length=100)
    region = models.CharField("state, province or region", max_length=100, blank=True)
    # ISO 3166-1 alpha-2; the form offers django_countries.countries as choices.
    country = models.CharField("country", max_length=2)
    tax_id = models.CharField("VAT or tax ID", max_length=40, blank=True)
    billing_email = models.EmailField("billing email", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    EDITABLE_FIELDS = [
        "contact_name",
        "company",
        "address_line1",
        "address_line2",
        "postal_code",
        "city",
        "region",
        "country",
        "tax_id",
        "billing_email",
    ]

    class Meta:
        verbose_name_plural = "billing addresses"

    def __str__(self):
        return f"Billing address of {self.account}"

    @property
    def country_name(self) -> str:
        from django_countries import countries

        return countries.name(self.country) or self.country

    def lines(self) -> list[str]:
        """The address as printed on an invoice, one line each, empty parts left out."""
        city_line = " ".join(p for p in [self.postal_code, self.city] if p)
        parts = [
            self.contact_name,
            self.company,
            self.address_line1,
            self.address_line2,
            city_line,
            self.region,
            self.country_name,
            f"VAT/Tax ID: {self.tax_id}" if self.tax_id else "",
        ]
        return [p for p in parts if p]


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"


class Invoice(models.Model):
    """What a plan change costs, for one period. Numbers are sequential per account."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="invoices"
    )
    sequence = models.PositiveIntegerField(help_text="1, 2, 3... within the account.")
    number = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    period_start = models.DateField()
    period_end = models.DateField()
    plan = models.CharField(max_length=20, choices=PlanCode.choices)
    previous_plan = models.CharField(max_length=20, choices=PlanCode.choices, blank=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices)
    # The billing address as it was when the invoice was issued (one line each).
    bill_to = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["account", "sequence"], name="invoice_sequence_unique"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="invoice_period_ordered",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def plan_name(self) -> str:
        return get_plan(self.plan).name

    @property
    def amount(self) -> str:
        """The amount as a decimal string, e.g. "20.00"."""
        return f"{self.amount_cents // 100}.{self.amount_cents % 100:02d}"

    @property
    def amount_display(self) -> str:
        return f"{self.amount} {self.currency}"

    @property
    def description(self) -> str:
        return f"{self.plan_name} plan, {self.period_start:%d %b %Y} to {self.period_end:%d %b %Y}"

    def bill_to_lines(self) -> list[str]:
        return [line for line in self.bill_to.splitlines() if line.strip()]

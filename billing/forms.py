import re

from django import forms
from django_countries import countries

from accounts.plans import PLANS
from accounts.validators import validate_no_control_characters
from billing.models import BillingAddress

POSTAL_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,18}[A-Za-z0-9]$|^[A-Za-z0-9]$")
TAX_ID_RE = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{1,38}$")


class ChangePlanForm(forms.Form):
    plan = forms.ChoiceField(label="New plan", widget=forms.RadioSelect)
    # The price the person saw on the confirmation step; a change that costs more than today
    # applies only when it matches the price at the moment of applying.
    confirmed_price_cents = forms.IntegerField(
        required=False, min_value=0, widget=forms.HiddenInput
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["plan"].choices = [(code, plan.name) for code, plan in PLANS.items()]
        self.fields["plan"].initial = account.plan

    def clean_plan(self):
        plan = self.cleaned_data["plan"]
        if plan == self.account.plan:
            raise forms.ValidationError(
                f"{self.account.name} is already on {PLANS[plan].name}.", code="same_plan"
            )
        return plan


class BillingAddressForm(forms.ModelForm):
    country = forms.ChoiceField(
        label="Country",
        choices=[],
        error_messages={
            "required": "Choose a country from the list.",
            "invalid_choice": "Choose a country from the list.",
        },
    )

    class Meta:
        model = BillingAddress
        fields = BillingAddress.EDITABLE_FIELDS
        error_messages = {
            "contact_name": {"required": "Enter the name of the billing contact."},
            "address_line1": {"required": "Enter the street address."},
            "city": {"required": "Enter the city."},
        }
        help_texts = {
            "tax_id": "For example DE123456789. Leave empty if you have none.",
            "billing_email": "Invoices are sent here; empty sends them to the Owner.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *countries]
        for name in ("contact_name", "company"):
            self.fields[name].validators.append(validate_no_control_characters)
        for name in ("contact_name", "address_line1", "city"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "contact_name": "name",
                "address_line1": "address-line1",
                "city": "address-level2",
            }[name]
        self.fields["address_line2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["postal_code"].widget.attrs["autocomplete"] = "postal-code"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["billing_email"].widget.attrs["autocomplete"] = "email"
        self.fields["region"].widget.attrs["autocomplete"] = "address-level1"
        self.fields["country"].widget.attrs["autocomplete"] = "country"

    def _clean_text(self, name):
        return " ".join((self.cleaned_data.get(name) or "").split())

    def clean_contact_name(self):
        value = self._clean_text("contact_name")
        if not value:
            raise forms.ValidationError("Enter the name of the billing contact.", code="required")
        return value

    def clean_company(self):
        return self._clean_text("company")

    def clean_address_line1(self):
        value = self._clean_text("address_line1")
        if not value:
            raise forms.ValidationError("Enter the street address.", code="required")
        return value

    def clean_address_line2(self):
        return self._clean_text("address_line2")

    def clean_city(self):
        value = self._clean_text("city")
        if not value:
            raise forms.ValidationError("Enter the city.", code="required")
        return value

    def clean_region(self):
        return self._clean_text("region")

    def clean_postal_code(self):
        value = self._clean_text("postal_code").upper()
        if value and not POSTAL_CODE_RE.match(value):
            raise forms.ValidationError(
                "Use letters, digits, spaces and hyphens only, for example 28013 or SW1A 1AA.",
                code="invalid",
            )
        return value

    def clean_country(self):
        value = self.cleaned_data.get("country", "")
        if value not in dict(countries):
            raise forms.ValidationError("Choose a country from the list.", code="invalid")
        return value

    def clean_tax_id(self):
        value = re.sub(r"\s+", "", self.cleaned_data.get("tax_id") or "").upper()
        if value and not TAX_ID_RE.match(value):
            raise forms.ValidationError(
                "Use letters and digits only, for example DE123456789.", code="invalid"
            )
        return value

    def clean_billing_email(self):
        return (self.cleaned_data.get("billing_email") or "").strip().lower()

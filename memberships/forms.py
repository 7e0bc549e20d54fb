"""Forms that create an account: the sign-up form's additions (a new person's name and their
first account) and a signed-in person's new account."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.validators import validate_no_control_characters
from memberships.services import create_account


def account_name_field() -> forms.CharField:
    return forms.CharField(
        label="Company or organization name",
        max_length=120,
        validators=[validate_no_control_characters],
        help_text="Your account is created with this name. You can change it later.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


def clean_name(value: str) -> str:
    name = value.strip()
    if not any(ch.isalnum() for ch in name):
        raise ValidationError("Enter a name with at least one letter or digit.", code="invalid")
    return name


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up form: the person's name and their first account's name."""

    first_name = forms.CharField(
        label="First name",
        max_length=150,
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        validators=[validate_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    account_name = account_name_field()

    field_order = ["first_name", "last_name", "email", "account_name", "password1", "password2"]

    def clean_account_name(self):
        return clean_name(self.cleaned_data["account_name"])

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        create_account(owner=user, name=self.cleaned_data["account_name"])


class NewAccountForm(forms.Form):
    """A signed-in person's new account: they become its Owner."""

    name = account_name_field()

    def clean_name(self):
        return clean_name(self.cleaned_data["name"])

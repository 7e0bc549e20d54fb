from django import forms
from django.core.exceptions import ValidationError

from accounts.models import TIME_ZONE_CHOICES, User
from accounts.validators import normalize_mobile


class SignupExtraForm(forms.Form):
    """Added to allauth's sign-up form: the person's name and their first account's name."""

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    account_name = forms.CharField(
        label="Company or organization name",
        max_length=120,
        help_text="Your account is created with this name. You can change it later.",
    )

    field_order = ["first_name", "last_name", "email", "account_name", "password1", "password2"]

    def clean_account_name(self):
        name = self.cleaned_data["account_name"].strip()
        if not any(ch.isalnum() for ch in name):
            raise ValidationError("Enter a name with at least one letter or digit.", code="invalid")
        return name

    def signup(self, request, user):
        from accounts.services import create_account

        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        create_account(owner=user, name=self.cleaned_data["account_name"])


class ProfileForm(forms.ModelForm):
    email = forms.EmailField(label="Email address", disabled=True, required=False)
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=TIME_ZONE_CHOICES,
        help_text="Every date and time in Roster is shown in this zone.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "mobile", "time_zone"]
        help_texts = {"mobile": "Optional. Include the country code, for example +34 612 345 678."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.email
        self.fields["first_name"].required = True

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data.get("mobile", ""))

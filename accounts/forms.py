from django import forms
from django.core.exceptions import ValidationError

from accounts import ratelimit
from accounts.models import TIME_ZONE_CHOICES, User
from accounts.validators import normalize_mobile, validate_no_control_characters

# What browsers and password managers may fill in (WCAG 1.3.5, "Identify input purpose").
AUTOCOMPLETE = {
    "email": "email",
    "first_name": "given-name",
    "last_name": "family-name",
    "mobile": "tel",
}


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
        help_texts = {
            "mobile": (
                "Optional, used only for two-factor authentication by text message: we send "
                "it a code to verify it. Include the country code, for example +34 612 345 678."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].initial = self.instance.email
        self.fields["first_name"].required = True
        for name in ("first_name", "last_name"):
            self.fields[name].validators.append(validate_no_control_characters)
        for name, token in AUTOCOMPLETE.items():
            self.fields[name].widget.attrs["autocomplete"] = token

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data.get("mobile", ""))


def current_password_field() -> forms.CharField:
    return forms.CharField(
        label="Your current password",
        strip=False,  # spaces are part of a password, as in Django's own password forms
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CurrentPasswordMixin:
    """A form's `password` field, checked against `self.user`'s password.

    Wrong passwords are counted per person in the shared cache: after
    PASSWORD_CONFIRM_FAILURES_PER_MINUTE of them every try is refused until the minute is
    over, right or wrong, so a borrowed or stolen session cannot guess the password that
    guards closing an account or giving it away.
    """

    wrong_password_message = "That is not your current password."

    def clean_password(self):
        from django.conf import settings

        password = self.cleaned_data["password"]
        limit, who = settings.PASSWORD_CONFIRM_FAILURES_PER_MINUTE, str(self.user.pk)
        if ratelimit.is_over("password-confirm", who, limit=limit):
            raise ValidationError(
                "Too many wrong passwords. Wait a minute, then try again.",
                code="too_many_attempts",
            )
        if not self.user.check_password(password):
            ratelimit.hit("password-confirm", who, limit=limit)
            raise ValidationError(self.wrong_password_message, code="wrong_password")
        return password

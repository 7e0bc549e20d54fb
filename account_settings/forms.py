from django import forms

from accounts.forms import CurrentPasswordMixin, current_password_field
from accounts.models import TwoFactorMethods
from accounts.validators import validate_no_control_characters


class RenameAccountForm(forms.Form):
    name = forms.CharField(
        label="Company or organization name",
        max_length=120,
        validators=[validate_no_control_characters],
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name.", code="required")
        return name


class ToggleForm(forms.Form):
    """One on/off setting: the submit buttons send enabled=on or enabled=off."""

    enabled = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])

    @property
    def value(self) -> bool:
        return self.cleaned_data["enabled"] == "on"


class TwoFactorMethodsForm(forms.Form):
    """Which second factors meet "Require 2FA" (also the preview's choice, by GET)."""

    methods = forms.ChoiceField(
        label="Methods that count",
        choices=TwoFactorMethods.choices,
        widget=forms.RadioSelect,
        help_text="Text messages are the weakest method: a number can be moved to another SIM.",
    )


class CloseAccountForm(CurrentPasswordMixin, forms.Form):
    confirm_name = forms.CharField(label="Type the account name to confirm", max_length=120)
    password = current_password_field()
    wrong_password_message = "The password is not correct."

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.user = user
        self.fields["confirm_name"].help_text = f"Type {account.name} exactly as shown."
        self.fields["confirm_name"].widget.attrs["autocomplete"] = "off"

    def clean_confirm_name(self):
        value = self.cleaned_data["confirm_name"].strip()
        if value != self.account.name:
            raise forms.ValidationError(
                "The name does not match the account name.", code="name_mismatch"
            )
        return value


class NotificationSettingsForm(forms.Form):
    """Three checkboxes per membership: `<membership id>-on_joined` and so on."""

    EVENTS = [
        ("on_joined", "Someone joins"),
        ("on_left", "Someone leaves or is removed"),
        ("on_level_changed", "Someone's level changes"),
    ]

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for membership, preference in rows:
            names = []
            for attr, label in self.EVENTS:
                name = f"{membership.pk}-{attr}"
                self.fields[name] = forms.BooleanField(
                    label=f"{label} in {membership.account.name}",
                    required=False,
                    initial=getattr(preference, attr),
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )
                names.append(name)
            self.rows.append((membership, [self[name] for name in names]))

    def values_for(self, membership) -> dict:
        return {attr: self.cleaned_data[f"{membership.pk}-{attr}"] for attr, _label in self.EVENTS}

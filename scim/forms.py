from django import forms

from accounts.roles import Role
from accounts.validators import validate_no_control_characters


class ProvisioningForm(forms.Form):
    enabled = forms.BooleanField(
        label="Turn on SCIM provisioning",
        required=False,
        help_text="Your identity provider can then add, suspend and remove people.",
    )
    default_level = forms.ChoiceField(
        label="Level for provisioned people",
        help_text="Given to people your identity provider adds without a level (group).",
    )

    def __init__(self, *args, levels: list[Role], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_level"].choices = [(level.value, level.label) for level in levels]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        validators=[validate_no_control_characters],
        help_text="Which identity provider uses it, e.g. “Okta”. The activity log shows "
        "its changes as “SCIM (name)”.",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the token a name.", code="required")
        return name

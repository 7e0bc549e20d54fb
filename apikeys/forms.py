import datetime

from django import forms
from django.utils import timezone

from accounts.validators import validate_no_control_characters


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        validators=[validate_no_control_characters],
        help_text="What uses this key, e.g. “CRM sync”. Shown in the list and the activity log.",
    )
    expires_on = forms.DateField(
        label="Expires on (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The key stops working at the start of this day (UTC). Empty: no expiry.",
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the key a name.", code="required")
        return name

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.now().date():
            raise forms.ValidationError("Choose a day after today.", code="past")
        return day

    @property
    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)

from django import forms

from accounts.validators import validate_no_control_characters
from joining.models import NOTE_MAX_LENGTH


def _no_control_characters_but_line_breaks(value: str) -> None:
    validate_no_control_characters(value.replace("\r\n", "").replace("\n", ""))


class JoinRequestForm(forms.Form):
    note = forms.CharField(
        label="Note to the account's Owners and Admins (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_no_control_characters_but_line_breaks],
        help_text="Say who you are and why you ask, so they can tell it is you.",
    )


class ApproveForm(forms.Form):
    level = forms.ChoiceField(label="Level", widget=forms.RadioSelect)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(r.value, r.label) for r in levels]


class JoinSwitchForm(forms.Form):
    enabled = forms.ChoiceField(choices=[("on", "on"), ("off", "off")])

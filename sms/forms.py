import re
import unicodedata

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code in the text message.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        # Spaces people type between the digits ("123 456") are not an error, nor digits an
        # input method typed full-width (U+FF10..U+FF19); any other digit script is.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError("Enter the 6-digit code.", code="format")
        return code

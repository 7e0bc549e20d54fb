import re

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import Account, User, normalize_email
from accounts.roles import RANK, Role
from accounts.validators import validate_no_control_characters
from config.fields import InRangeModelMultipleChoiceField
from invitations.csv_file import EXPECTED_HEADER, CsvFileError, read_csv
from memberships import access, access_until

MAX_ADDRESSES = 25
SEPARATORS = re.compile(r"[\s,;]+")


def inviting_memberships(user):
    """The inviter's memberships where the access gate lets them in and their level may
    invite: an account that locks them out (2FA, suspension, closed) is never offered."""
    return access.memberships_with_access(user, permission="members.invite")


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line or separated by commas; up to {MAX_ADDRESSES} at a time.",
    )
    accounts = InRangeModelMultipleChoiceField(
        label="Accounts",
        queryset=Account.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone above is invited to each account you tick.",
        error_messages={"invalid_choice": "You cannot invite people to that account."},
    )
    level = forms.ChoiceField(
        label="Level",
        initial=Role.VIEWER,
        help_text="Levels you may give: never above your own, and offered by each account's plan.",
    )
    access_until = forms.DateField(
        label="Access until (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=(
            "Their access ends at the end of this day (your time zone): they are suspended "
            "then, and both of you are emailed 7 days and 1 day before. At most one year ahead."
        ),
    )
    message = forms.CharField(
        label="Personal message (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain text, at most 1,000 characters. It is added to the email.",
    )

    def __init__(self, *args, inviter, current_account, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {m.account_id: m for m in inviting_memberships(inviter)}
        self.fields["accounts"].queryset = Account.objects.filter(pk__in=self.memberships)
        self.fields["accounts"].initial = [current_account.pk]
        current = self.memberships.get(current_account.pk)
        rank = RANK[Role(current.role)] if current else 0
        # Levels from Admin down, never above one's own, offered by the current plan; each
        # chosen account's plan is checked in clean().
        self.fields["level"].choices = [
            (role.value, role.label)
            for role in Role
            if role != Role.OWNER and RANK[role] <= rank and current_account.plan_info.offers(role)
        ]

    def clean_emails(self):
        raw = [part for part in SEPARATORS.split(self.cleaned_data["emails"]) if part]
        emails = list(dict.fromkeys(normalize_email(part) for part in raw))
        if not emails:
            raise ValidationError("Enter at least one email address.", code="required")
        if len(emails) > MAX_ADDRESSES:
            raise ValidationError(
                f"Enter at most {MAX_ADDRESSES} addresses at a time (you entered {len(emails)}).",
                code="too_many",
            )
        errors = []
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(
                    ValidationError(f"{email}: not a valid email address.", code="invalid")
                )
        if errors:
            raise ValidationError(errors)
        return emails

    def clean_access_until(self):
        day = self.cleaned_data["access_until"]
        return None if day is None else access_until.check_date(day)

    def clean(self):
        cleaned = super().clean()
        level, accounts = cleaned.get("level"), cleaned.get("accounts")
        if not level or not accounts:
            return cleaned
        for account in accounts:
            membership = self.memberships[account.pk]
            if RANK[Role(level)] > RANK[Role(membership.role)]:
                self.add_error(
                    "level", f"You cannot invite someone to {account.name} above your own level."
                )
            elif not account.plan_info.offers(level):
                self.add_error(
                    "level",
                    f"The {account.plan_info.name} plan of {account.name} does not offer the "
                    f"{Role(level).label} level.",
                )
        return cleaned


class CsvInviteForm(forms.Form):
    """A CSV file of people to invite to the current account (invitations.csv_file)."""

    csv_file = forms.FileField(
        label="CSV file",
        help_text=(
            f"Columns: {EXPECTED_HEADER} (a header row; email is required, level defaults to "
            "Viewer, access until is a date written YYYY-MM-DD). UTF-8, comma- or "
            f"semicolon-separated, up to {settings.CSV_INVITE_MAX_ROWS} rows. You review "
            "every row before anything is sent."
        ),
        error_messages={"empty": "The file is empty.", "required": "Choose a CSV file."},
    )

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > settings.CSV_INVITE_MAX_BYTES:
            raise ValidationError(
                f"The file is larger than {settings.CSV_INVITE_MAX_BYTES // 1024} KB: split it "
                f"(at most {settings.CSV_INVITE_MAX_ROWS} rows a file).",
                code="too_large",
            )
        try:
            self.rows = read_csv(upload.read())
        except CsvFileError as error:
            raise ValidationError(str(error), code="unreadable") from None
        return upload


class AcceptSignupForm(forms.Form):
    """A login for the invited address: the email is fixed by the invitation."""

    email = forms.EmailField(label="Email", disabled=True, required=False)
    first_name = forms.CharField(
        label="First name", max_length=150, validators=[validate_no_control_characters]
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, validators=[validate_no_control_characters]
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invited_email = email
        self.fields["email"].initial = email
        self.fields["email"].help_text = "The invitation was sent to this address."
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_email(self):
        return self.invited_email

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise ValidationError("The two passwords do not match.", code="password_mismatch")
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password1")
        if password and not self.has_error("password2"):
            candidate = User(
                email=self.invited_email,
                first_name=self.cleaned_data.get("first_name", ""),
                last_name=self.cleaned_data.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except ValidationError as error:
                self.add_error("password1", error)


class InvitationActionForm(forms.Form):
    """The accept page's buttons (Accept, Decline, Sign out) hold no field; a refused action
    becomes this form's error, so the page draws it as every form's error summary (focus,
    "Error: " title) rather than a bare alert."""

    @classmethod
    def refused(cls, data, message: str) -> "InvitationActionForm":
        form = cls(data)
        form.is_valid()
        form.add_error(None, message)
        return form

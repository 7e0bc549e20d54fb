from django import forms
from django.utils import timezone

from accounts.forms import CurrentPasswordMixin, current_password_field
from accounts.roles import Role
from config.fields import InRangeModelMultipleChoiceField
from memberships import access_until
from memberships.models import Membership, MembershipStatus
from memberships.selectors import EXPIRES_SOON, MEMBER_SORTS


class MemberFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or email", required=False, max_length=254)
    level = forms.ChoiceField(
        label="Level",
        required=False,
        choices=[("", "All levels"), *Role.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "All statuses"),
            *MembershipStatus.choices,
            (EXPIRES_SOON, "Access ends within 7 days"),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # A column's key (memberships.selectors.MEMBER_SORTS), "-" first for descending.
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            (f"{direction}{key}", f"{key}{' (descending)' if direction else ''}")
            for key in MEMBER_SORTS
            for direction in ("", "-")
        ],
        widget=forms.HiddenInput,
    )


class LevelForm(forms.Form):
    level = forms.ChoiceField(label="Level", widget=forms.RadioSelect)

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(r.value, r.label) for r in levels]


class AccessUntilForm(forms.Form):
    access_until = forms.DateField(
        label="Access until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=(
            "Access ends at the end of this day (your time zone), at most one year ahead; "
            "leave it empty for no end date."
        ),
    )

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current  # the member's access_until now (aware, or None)

    def clean_access_until(self):
        day = self.cleaned_data["access_until"]
        if day is None:
            return None
        # The date shown, sent back unchanged, keeps the moment it stands for: read in
        # another time zone than the setter's it would otherwise move by hours.
        if self.current is not None and day == timezone.localtime(self.current).date():
            return self.current
        return access_until.check_date(day)


class BulkRevokeForm(forms.Form):
    member = InRangeModelMultipleChoiceField(
        label="Members to revoke",
        queryset=Membership.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": "Select at least one member to revoke."},
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this account's members can be chosen: a forged id from elsewhere is invalid.
        self.fields["member"].queryset = Membership.objects.filter(account=account).select_related(
            "user"
        )


class TransferForm(CurrentPasswordMixin, forms.Form):
    new_owner = forms.ModelChoiceField(
        label="New Owner",
        queryset=Membership.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text="Only Admins can become Owner. You will become an Admin.",
    )
    password = current_password_field()

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["new_owner"]
        field.queryset = (
            Membership.objects.filter(
                account=account, role=Role.ADMIN, status=MembershipStatus.ACTIVE
            )
            .select_related("user")
            .order_by("user__email")
        )
        field.label_from_instance = lambda m: f"{m.user.display_name} ({m.user.email})"

from django import forms

from accounts.forms import CurrentPasswordMixin, current_password_field

# Ids fit a signed 64-bit column: a larger number is a form error, never a database error.
MAX_ID = 2**63 - 1


def transfer_field() -> forms.IntegerField:
    """The transfer the page showed: a stale page never acts on a newer offer."""
    return forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class TransferAnswerForm(forms.Form):
    transfer = transfer_field()


class AcceptTransferForm(CurrentPasswordMixin, forms.Form):
    """Accepting ownership asks for the Admin's password, as giving it away asks the Owner's."""

    transfer = transfer_field()
    password = current_password_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

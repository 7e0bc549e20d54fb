"""Reads about people's two-factor status."""

from accounts.models import Account


def accounts_requiring_2fa(user_id):
    """Open accounts where `user_id` is a member (active or suspended) and 2FA is required."""
    return Account.objects.open().filter(require_2fa=True, memberships__user_id=user_id)

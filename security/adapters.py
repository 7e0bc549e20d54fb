from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from accounts.models import TwoFactorMethods
from security.selectors import accounts_requiring_2fa
from sms.selectors import has_sms_two_factor


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "You cannot turn off two-factor authentication while an account you belong to "
            "requires it."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """The last authenticator (TOTP or security key) stays while any account of the
        person requires 2FA, unless text messages meet every such account's demand.
        Recovery codes alone do not count: allauth drops them with it."""
        others = (
            Authenticator.objects.filter(user_id=authenticator.user_id)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        if others.exists():
            return True
        requiring = accounts_requiring_2fa(authenticator.user_id)
        if has_sms_two_factor(authenticator.user):
            requiring = requiring.filter(two_factor_methods=TwoFactorMethods.APP_OR_KEY)
        return not requiring.exists()

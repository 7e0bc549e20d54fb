from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from security.selectors import accounts_requiring_2fa


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
        person requires 2FA. Recovery codes alone do not count: allauth drops them with it."""
        others = (
            Authenticator.objects.filter(user_id=authenticator.user_id)
            .exclude(pk=authenticator.pk)
            .exclude(type=Authenticator.Type.RECOVERY_CODES)
        )
        if others.exists():
            return True
        return not accounts_requiring_2fa(authenticator.user_id).exists()

import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP


@pytest.fixture
def enable_totp():
    """Give `user` an authenticator app (and recovery codes); returns a pyotp.TOTP."""

    def enable(user):
        secret = pyotp.random_base32()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        return pyotp.TOTP(secret)

    return enable

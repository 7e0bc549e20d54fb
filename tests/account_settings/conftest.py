import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def make_invitation():
    from invitations.models import Invitation

    def make(account, email, role="viewer", invited_by=None, token_hash=""):
        return Invitation.objects.create(
            account=account,
            email=email,
            role=role,
            invited_by=invited_by,
            token_hash=token_hash,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )

    return make


@pytest.fixture
def give_2fa():
    """Give a user a TOTP authenticator (enough for allauth's is_mfa_enabled)."""
    from allauth.mfa.models import Authenticator

    def give(user):
        return Authenticator.objects.create(
            user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
        )

    return give

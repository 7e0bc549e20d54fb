import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def make_invitation():
    """A pending invitation (the invitations work has no factory in this section)."""
    from invitations.models import Invitation

    def make(account, email, role="viewer", invited_by=None):
        return Invitation.objects.create(
            account=account,
            email=email,
            role=role,
            invited_by=invited_by,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )

    return make

import pytest

from invitations.tokens import hash_token
from joining import services
from joining.models import JoinLink


@pytest.fixture
def open_account(account, members):
    """`account` (Premium, a member at every level) taking requests to join."""
    services.set_join_requests(account=account, enabled=True, actor=members["owner"].user)
    account.refresh_from_db()
    return account


@pytest.fixture
def link(open_account):
    return JoinLink.objects.get(account=open_account)


@pytest.fixture
def token_hash(link):
    return hash_token(link.token)

import pytest
from django.test import Client

from tests.factories import AccountFactory, MembershipFactory

ROLES = ["owner", "admin", "manager", "author", "viewer"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Unit and browser tests only; the benchmark uses the real hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def account(db):
    return AccountFactory(plan="premium")


@pytest.fixture
def members(account):
    """One member at every level of `account`: {"owner": Membership, ...}."""
    return {role: MembershipFactory(account=account, role=role) for role in ROLES}


@pytest.fixture
def other_account(db):
    """A second account with its own Owner and Admin, for cross-tenant checks."""
    other = AccountFactory(plan="premium")
    MembershipFactory(account=other, role="owner")
    MembershipFactory(account=other, role="admin")
    return other


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make

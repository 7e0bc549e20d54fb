import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
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


def record_login(client, user, *, seconds_ago=0):
    """What allauth writes at a real log-in: force_login alone leaves no authentication record."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() - seconds_ago, "email": user.email}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


@pytest.fixture
def client_for():
    """A client logged in as `user` a moment ago (fresh: no re-authentication asked).

    `client_for(user, stale=True)` logs in an hour ago, for re-authentication tests.
    """

    def make(user, *, stale=False):
        client = Client()
        client.force_login(user)
        record_login(client, user, seconds_ago=3600 if stale else 0)
        return client

    return make


@pytest.fixture
def enable_totp():
    """Give `user` an authenticator app (and recovery codes); returns a pyotp.TOTP."""

    def enable(user):
        secret = pyotp.random_base32()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        return pyotp.TOTP(secret)

    return enable


def pytest_terminal_summary(terminalreporter):
    """Lists what the every-door test drove (tests/memberships/test_every_door.py)."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", [])
        for name, value in report.user_properties
        if name == "doors"
    ]
    if lines:
        terminalreporter.write_sep("-", "access gate: doors driven")
        for line in sorted(lines):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def _no_response_is_a_500(request):
    """No page or API response anywhere in the suite may be a 500: a request that raises an
    unhandled exception fails the test that made it (Django signals it before answering 500).
    A test that breaks the database on purpose says so with @pytest.mark.expects_500."""
    from django.core.signals import got_request_exception

    raised = []

    def record(sender, request=None, **kwargs):
        raised.append(getattr(request, "path", "?"))

    got_request_exception.connect(record, weak=False)
    yield
    got_request_exception.disconnect(record)
    if request.node.get_closest_marker("expects_500") is None:
        assert not raised, f"unhandled exceptions (500) answering: {raised}"

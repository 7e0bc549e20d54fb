import re

import pytest
from django.utils import timezone

from sms.backends import locmem
from sms.models import PhoneNumber
from tests.sms.fake_twilio import TWILIO, FakeTwilio


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """The in-memory backend's outbox, empty at the start of each test."""
    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    locmem.outbox.clear()
    yield locmem.outbox
    locmem.outbox.clear()


def last_code(outbox) -> str:
    """The code in the latest text message."""
    assert outbox, "no text message was sent"
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def sms_user():
    """Give `user` a number (verified unless told) with SMS 2FA on (unless told)."""

    def give(user, *, number="+34612345678", verified=True, two_factor=True):
        user.mobile = number
        user.save(update_fields=["mobile"])
        now = timezone.now()
        return PhoneNumber.objects.create(
            user=user,
            number=number,
            verified_at=now if verified else None,
            two_factor_since=now if two_factor else None,
        )

    return give


@pytest.fixture
def Client(django_capture_on_commit_callbacks):
    """django.test.Client whose requests run their on-commit callbacks (messages are sent
    by the task queue after commit, which a test's transaction never reaches otherwise)."""
    from django.test import Client as DjangoClient

    class CommittingClient(DjangoClient):
        def request(self, **request):
            with django_capture_on_commit_callbacks(execute=True):
                return super().request(**request)

    return CommittingClient


@pytest.fixture
def client_for(Client):
    from tests.conftest import record_login

    def make(user, *, stale=False):
        client = Client()
        client.force_login(user)
        record_login(client, user, seconds_ago=3600 if stale else 0)
        return client

    return make


@pytest.fixture
def twilio(settings):
    """The Twilio backend pointed at a local fake of its Messages API (127.0.0.1)."""
    fake = FakeTwilio()
    settings.SMS_BACKEND = TWILIO
    settings.SMS_TWILIO_BASE_URL = fake.url
    settings.SMS_TWILIO_ACCOUNT_SID = "AC0123456789"
    settings.SMS_TWILIO_API_KEY_SID = ""
    settings.SMS_TWILIO_AUTH_TOKEN = "token-secret"
    settings.SMS_TWILIO_FROM = "+15005550006"
    settings.SMS_TIMEOUT = 1
    yield fake
    fake.close()

"""A provider failure, seen from where a person meets it (issue 18, item 4): through the
login, against a local fake of Twilio's Messages API on 127.0.0.1 that answers 5xx, a JSON
list or too late, and with a backend that raises something unexpected. The challenge never
stays "queued" with a live code hash, the page says "We could not send the code. Try
again.", nobody is logged in, the security history says what happened, and no log (even at
DEBUG, with urllib3's request logging) holds the code."""

import logging
import re

import pytest
from django.urls import reverse

from sms.models import Challenge, Delivery, SecurityAction, SecurityEvent
from tests.factories import TEST_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SMS_AUTHENTICATE = "/accounts/2fa/sms/authenticate/"
NOT_SENT = "We could not send the code. Try again."


@pytest.fixture
def member(sms_user):
    membership = MembershipFactory(role="author")
    sms_user(membership.user)
    return membership


def start_login(client, user):
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response["Location"] == SMS_AUTHENTICATE
    client.get(SMS_AUTHENTICATE)  # sends (the task runs after the page is drawn)
    return client.get(SMS_AUTHENTICATE).content.decode()


def signed_in(client, account) -> bool:
    return client.get(reverse("overview", kwargs={"slug": account.slug})).status_code == 200


def assert_failed_cleanly(member):
    challenge = Challenge.objects.get(user=member.user)
    assert challenge.delivery == Delivery.FAILED
    assert challenge.code_hash == ""
    events = SecurityEvent.objects.filter(user=member.user)
    assert list(events.values_list("action", flat=True)) == [SecurityAction.CODE_NOT_SENT]


@pytest.mark.parametrize(
    ("status", "body", "delay"),
    [(500, {"code": 20500}, 0), (503, ["not", "an", "object"], 0), (201, {}, 1.5)],
    ids=["5xx", "5xx-json-list", "timeout"],
)
def test_a_provider_failure_through_the_login_says_try_again(
    twilio, member, Client, status, body, delay, caplog
):
    twilio.status, twilio.body, twilio.delay = status, body, delay
    client = Client()
    page = start_login(client, member.user)
    assert NOT_SENT in page
    assert not signed_in(client, member.account)
    assert_failed_cleanly(member)
    assert len(twilio.requests) == 1
    assert "Traceback" not in caplog.text


class ResettingBackend:
    def send_messages(self, messages):
        raise ConnectionResetError(f"peer reset while sending {messages[0].body!r}")


class BrokenBackend:
    def __init__(self):
        raise RuntimeError("misconfigured")


@pytest.mark.parametrize("backend", ["ResettingBackend", "BrokenBackend"])
def test_an_unexpected_backend_error_is_a_failure_and_logs_only_its_type(
    member, Client, settings, caplog, backend
):
    settings.SMS_BACKEND = f"tests.sms.test_delivery_failures.{backend}"
    caplog.set_level(logging.DEBUG)
    client = Client()
    assert NOT_SENT in start_login(client, member.user)
    assert not signed_in(client, member.account)
    assert_failed_cleanly(member)
    name = "ConnectionResetError" if backend == "ResettingBackend" else "RuntimeError"
    assert f"unexpected {name}" in caplog.text
    assert "peer reset" not in caplog.text  # the exception's text may quote the message
    assert not re.search(r"(?<!\d)\d{6}(?!\d)", caplog.text)


def test_a_sent_code_is_in_the_history_and_in_no_log_even_at_debug(twilio, member, Client, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 logs each request at DEBUG
    client = Client()
    page = start_login(client, member.user)
    assert NOT_SENT not in page
    [request] = twilio.requests
    code = re.search(r"\b(\d{6})\b", request["form"]["Body"]).group(1)
    assert "127.0.0.1" in caplog.text  # urllib3 did log the request
    assert code not in caplog.text
    events = SecurityEvent.objects.filter(user=member.user)
    assert list(events.values_list("action", flat=True)) == [SecurityAction.CODE_SENT]
    assert events.get().detail == "•••• •• 5678"
    client.post(SMS_AUTHENTICATE, {"code": code})
    assert signed_in(client, member.account)

"""Login throttling (allauth rate limits in the shared cache): per client IP and per email,
case-insensitively, with one generic message, and X-Forwarded-For honoured only from the
configured number of trusted proxies."""

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
GENERIC = b"The email address or password is not correct."
LOCKED = b"Signing in is locked for a while after too many failed attempts. Try again in 5 minutes"


def attempt(email, password, **headers):
    client = Client(**headers)
    response = client.post(LOGIN, {"login": email, "password": password})
    return response, "_auth_user_id" in client.session


def test_case_variants_of_one_email_share_the_limit():
    user = UserFactory(email="ana@example.test")
    variants = ["ana@example.test", "ANA@example.test", "Ana@Example.Test", "aNa@EXAMPLE.test"]
    # Each attempt from a different IP, so only the per-email limit (5 per 5 minutes) counts.
    for i in range(5):
        response, logged_in = attempt(variants[i % 4], "wrong", REMOTE_ADDR=f"10.0.0.{i + 1}")
        assert not logged_in
        assert GENERIC in response.content
    response, logged_in = attempt(user.email.upper(), TEST_PASSWORD, REMOTE_ADDR="10.0.1.1")
    assert not logged_in, "the right password is refused while the email is locked"
    assert LOCKED in response.content  # says it is a lock, and for how long
    assert GENERIC not in response.content  # not "wrong password": nobody resets for nothing


def test_spoofed_forwarded_for_does_not_escape_the_per_ip_limit(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    victim = UserFactory()
    for i in range(10):
        response, _ = attempt(
            f"nobody{i}@example.test", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        )
        assert GENERIC in response.content
    # A new "client IP" in the header and a new email: still the same socket address.
    _, logged_in = attempt(victim.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert not logged_in


def test_forwarded_for_from_a_trusted_proxy_separates_clients(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    for i in range(10):
        attempt(f"nobody{i}@example.test", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9")
    # Behind one trusted proxy, another client's address is honoured: not locked out.
    _, logged_in = attempt(user.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert logged_in


def test_unknown_email_and_wrong_password_get_the_same_message():
    user = UserFactory()
    unknown, _ = attempt("nobody@example.test", "whatever", REMOTE_ADDR="10.1.0.1")
    wrong, _ = attempt(user.email, "wrong", REMOTE_ADDR="10.1.0.2")
    assert GENERIC in unknown.content
    assert GENERIC in wrong.content


def test_a_lock_reads_the_same_for_an_email_with_a_login_and_one_without():
    """The lock counts any email typed, so its message tells nothing about who has a login."""
    UserFactory(email="kim@example.test")
    answers = []
    for email in ("kim@example.test", "nobody-here@example.test"):
        for i in range(5):
            attempt(email, "wrong", REMOTE_ADDR=f"10.2.{len(answers)}.{i + 1}")
        response, _ = attempt(email, "wrong", REMOTE_ADDR=f"10.3.{len(answers)}.1")
        answers.append(response.content.replace(email.encode(), b"EMAIL"))
    assert LOCKED in answers[0]
    assert LOCKED in answers[1]

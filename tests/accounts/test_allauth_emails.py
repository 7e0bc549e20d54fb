"""allauth's emails are Roster's emails: a text and an HTML part, the product name from
PRODUCT_NAME (never "Hello from <host>!"), and the HTML in the layout of the invitation email
(templates/emails/_layout.html)."""

import socket
from email import message_from_bytes, policy
from pathlib import Path

import allauth
import pytest
from aiosmtpd.controller import Controller
from allauth.account.adapter import get_adapter
from allauth.core.context import request_context
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.emails import build_email
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Blue-Harbour-77!"
# The invitation email's layout: its body and the footer every email shares.
LAYOUT_BODY = '<body style="font-family: sans-serif; color: #212529">'
LAYOUT_FOOTER = "data-email-footer"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"


def assert_roster_email(message, *, product="Roster"):
    """Text and HTML parts, the product name in both, the invitation layout, no host greeting
    (allauth's subjects also start "[<product>] ")."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    for part in (message.body, html):
        assert product in part
        assert "Hello from" not in part
        assert "127.0.0.1:8201" not in part
        assert "Thank you for using" not in part
    assert product in message.subject
    assert LAYOUT_BODY in html and LAYOUT_FOOTER in html
    assert "&amp;" not in message.body and "&#x27;" not in message.body  # text is not escaped
    return html


def test_the_invitation_email_uses_the_same_layout():
    """The anchor the other assertions compare with: Roster's own email."""
    message = build_email(
        to=["ana@example.com"],
        template="invitation",
        context={
            "account_name": "Acme",
            "inviter_name": "Bea",
            "level": "Author",
            "accept_url": "http://testserver/invitations/x/",
            "expires": "1 Dec 2026",
        },
    )
    html = assert_roster_email(message)
    assert "You are invited to Acme" in html


def signup(client, email):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Ana",
            "last_name": "O'Brien",
            "email": email,
            "account_name": "Lopez Bakery",
            "password1": STRONG,
            "password2": STRONG,
        },
    )


def test_signup_confirmation_email(mailoutbox):
    assert signup(Client(), "ana@example.com").status_code == 302
    [message] = mailoutbox
    html = assert_roster_email(message)
    assert message.subject == "[Roster] Confirm your email address"
    link = next(w for w in message.body.split() if "/accounts/confirm-email/" in w)
    assert f'href="{link}"' in html  # the button
    assert "Welcome to Roster" in html


def test_signup_with_a_taken_email_tells_the_owner_in_a_roster_email(mailoutbox):
    UserFactory(email="ana@example.com")
    signup(Client(), "ana@example.com")
    [message] = mailoutbox
    html = assert_roster_email(message)
    assert "already exists" in message.subject.lower()
    assert reverse("account_reset_password") in message.body
    assert reverse("account_reset_password") in html


def test_password_reset_email(mailoutbox):
    user = UserFactory(email="ana@example.com")
    Client().post(reverse("account_reset_password"), {"email": user.email})
    [message] = mailoutbox
    html = assert_roster_email(message)
    assert message.subject == "[Roster] Reset your password"
    assert "/accounts/password/reset/key/" in message.body
    assert "Choose a new password" in html


def test_password_reset_for_an_unknown_email_sends_the_unknown_account_email(mailoutbox):
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    [message] = mailoutbox
    html = assert_roster_email(message)
    assert reverse("account_signup") in message.body and reverse("account_signup") in html


def test_adding_an_email_sends_a_confirmation(client_for, mailoutbox):
    user = UserFactory()
    client_for(user).post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})
    [message] = mailoutbox
    assert message.to == ["new@example.com"]
    assert_roster_email(message)


def test_security_notices_are_roster_emails_with_the_time_in_the_persons_zone(
    client_for, mailoutbox
):
    """With the project's settings as they are (ACCOUNT_EMAIL_NOTIFICATIONS on): a password
    change sends its notice, text and HTML."""
    user = UserFactory(time_zone="Asia/Tokyo")
    client = client_for(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": STRONG, "password2": STRONG},
        HTTP_USER_AGENT=(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0.0.0 Safari/537.36"
        ),
    )
    assert response.status_code == 302
    [message] = mailoutbox
    html = assert_roster_email(message)
    assert message.subject == "[Roster] Password changed"
    for part in (message.body, html):
        assert "Chrome on Linux" in part
        assert "JST" in part


@pytest.mark.parametrize("product", ["Acme People"])
def test_the_product_name_comes_from_the_setting(settings, mailoutbox, product):
    settings.PRODUCT_NAME = product
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{product}] "
    UserFactory(email="ana@example.com")
    Client().post(reverse("account_reset_password"), {"email": "ana@example.com"})
    Client().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    invitation = build_email(
        to=["x@example.com"],
        template="invitation",
        context={"account_name": "A", "level": "Author", "accept_url": "u", "expires": "e"},
    )
    for message in [*mailoutbox, invitation]:
        html = assert_roster_email(message, product=product)
        assert "Roster" not in message.body + html + message.subject


def every_allauth_email() -> list[str]:
    """Every email allauth (account and MFA) can send: each `<prefix>_subject.txt`."""
    return sorted(
        str(path.relative_to(ALLAUTH_TEMPLATES)).removesuffix("_subject.txt")
        for folder in ("account/email", "mfa/email")
        for path in (ALLAUTH_TEMPLATES / folder).glob("*_subject.txt")
    )


@pytest.mark.parametrize("prefix", every_allauth_email())
def test_every_allauth_email_is_a_roster_email(prefix):
    """Including those no page sends today (sign-in codes, the MFA notices when
    ACCOUNT_EMAIL_NOTIFICATIONS is on): each renders in the layout with both parts."""
    user = UserFactory(email="ana@example.com")
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    context = {
        "user": user,
        "code": "ABC123",
        "activate_url": "http://testserver/accounts/confirm-email/k/",
        "password_reset_url": "http://testserver/accounts/password/reset/key/x/",
        "signup_url": "http://testserver/accounts/signup/",
        "from_email": "old@example.com",
        "to_email": "new@example.com",
        "deleted_email": "old@example.com",
        "ip": "127.0.0.1",
        "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 "
        "Firefox/128.0",
        "timestamp": "2026-11-30T08:00:00Z",
    }
    with request_context(request):
        adapter = get_adapter(request)
        message = adapter.render_mail(prefix, "ana@example.com", {"email": user.email, **context})
    html = assert_roster_email(message)
    assert html.count("Roster ·") == 1  # the layout's footer, not the text's signature again
    # A subject in sentence case (allauth's are in title case).
    words = message.subject.removeprefix("[Roster] ").split()
    assert not [w for w in words[1:] if w[:1].isupper() and w not in {"TOTP"}], message.subject


@pytest.fixture
def smtp_inbox(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    class Inbox:
        messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    yield inbox
    controller.stop()


def test_over_smtp_the_password_reset_email_is_multipart_alternative(smtp_inbox):
    UserFactory(email="ana@example.com")
    Client().post(reverse("account_reset_password"), {"email": "ana@example.com"})
    [message] = smtp_inbox.messages
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/accounts/password/reset/key/" in text
    assert LAYOUT_FOOTER in html and "Roster" in html and "Hello from" not in text

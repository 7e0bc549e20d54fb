"""The invitation email: both parts, escaped message, delivery state on provider failure."""

import pytest
from django.test import Client
from django.urls import reverse

from invitations.models import Invitation
from tests.invitations.conftest import token_from

pytestmark = pytest.mark.django_db


def invite(client, account, *, emails="ana@example.com", message=""):
    return client.post(
        reverse("invitations:invite", kwargs={"slug": account.slug}),
        {"emails": emails, "accounts": [account.pk], "level": "author", "message": message},
    )


def test_email_has_text_and_html_with_inviter_account_level_link_and_expiry(
    client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(inviter), account, message="Welcome aboard!\nSee you soon.")
    [message] = mailoutbox
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for part in (message.body, html):
        assert inviter.display_name in part
        assert account.name in part
        assert "Author" in part
        assert "Welcome aboard!" in part
        assert "expires on" in part
        assert f"/invitations/{token_from(message)}/" in part
    assert account.name in message.subject


def test_personal_message_is_escaped_in_html(
    client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(inviter), account, message='<script>alert("x")</script><b>hi</b>')
    html = mailoutbox[0].alternatives[0].content
    assert "<script>" not in html and "<b>hi</b>" not in html
    assert "&lt;script&gt;" in html
    assert '<script>alert("x")</script>' in mailoutbox[0].body  # plain text stays as typed
    # The accept page escapes it too.
    visitor = Client()
    visitor.get(reverse("invitations:token", kwargs={"token": token_from(mailoutbox[0])}))
    page = visitor.get(reverse("invitations:accept")).content.decode()
    assert "&lt;script&gt;" in page and '<script>alert("x")' not in page


def test_failing_provider_leaves_invitation_pending_and_visible_as_not_delivered(
    client_for, account, inviter, failing_mail, django_capture_on_commit_callbacks
):
    client = client_for(inviter)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, account)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.status == "pending"
    assert invitation.delivery_status == "failed"
    assert "Service not available" in invitation.last_error
    page = client.get(reverse("people:users", kwargs={"slug": account.slug}))
    assert "Not delivered — resend" in page.content.decode()


def test_resend_after_failure_delivers(
    client_for, account, inviter, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": "tests.invitations.conftest.FailingBackend"}}
    client = client_for(inviter)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, account)
    invitation = Invitation.objects.get()
    assert invitation.delivery_status == "failed"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "invitations:resend", kwargs={"slug": account.slug, "invitation_id": invitation.pk}
            )
        )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.delivery_status, invitation.last_error) == (
        "pending",
        "sent",
        "",
    )
    assert len(mailoutbox) == 1

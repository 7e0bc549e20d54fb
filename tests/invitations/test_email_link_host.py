"""Email links: in development the request's host if ALLOWED_HOSTS accepts it, else SITE_URL."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.emails import queue_email
from config.request_context import ClientIPMiddleware, site_url
from invitations.models import Invitation
from invitations.tasks import send_invitation
from tests.invitations.conftest import LINK

pytestmark = pytest.mark.django_db

SITE_URL = "https://roster.example.com"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]


def invite(client, account, **headers):
    return client.post(
        reverse("invitations:invite", kwargs={"slug": account.slug}),
        {"emails": "ana@example.com", "accounts": [account.pk], "level": "author"},
        **headers,
    )


def accept_link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def test_in_development_the_link_follows_the_allowed_host_and_port_of_the_request(
    settings, client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(inviter), account, HTTP_HOST="localhost:8123")
    assert response.status_code == 302
    [message] = mailoutbox
    assert accept_link(message).startswith("http://localhost:8123/invitations/")
    assert accept_link(message) in message.alternatives[0].content


def test_a_disallowed_host_header_is_refused_and_never_reaches_an_email(
    settings, client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(inviter), account, HTTP_HOST="evil.example:8000")
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_the_middleware_never_records_a_disallowed_host_even_if_nothing_refused_it_earlier(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    seen = []

    def view(request):
        seen.append(site_url())
        with django_capture_on_commit_callbacks(execute=True):
            queue_email(
                to="ana@example.com",
                template="invitation_declined",
                context={"account_name": "Acme", "email": "bo@example.com", "name": "Bo"},
            )

    request = RequestFactory().get("/", HTTP_HOST="evil.example")
    ClientIPMiddleware(view)(request)
    assert seen == [SITE_URL]
    [message] = mailoutbox
    assert "evil.example" not in message.body + message.alternatives[0].content
    assert SITE_URL in message.body
    assert site_url() == SITE_URL  # nothing leaks past the request


def test_in_production_the_link_uses_site_url_whatever_the_host(
    settings, client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    with django_capture_on_commit_callbacks(execute=True):
        invite(client_for(inviter), account, HTTP_HOST="localhost:8123")
    [message] = mailoutbox
    assert accept_link(message).startswith(f"{SITE_URL}/invitations/")


def test_an_email_sent_outside_a_request_uses_site_url(
    settings, client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    invite(client_for(inviter), account, HTTP_HOST="localhost:8123")  # queued, not sent
    send_invitation.call(invitation_id=Invitation.objects.get().pk)  # as a worker or job would
    [message] = mailoutbox
    assert accept_link(message).startswith(f"{SITE_URL}/invitations/")


def test_the_base_taken_when_queued_travels_with_the_task_to_a_later_worker(
    settings, client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(client_for(inviter), account, HTTP_HOST="127.0.0.1:8001")
    assert mailoutbox == []
    for callback in callbacks:  # after the request has ended, as a worker runs the task
        callback()
    [message] = mailoutbox
    assert accept_link(message).startswith("http://127.0.0.1:8001/invitations/")

"""A refused accept, decline or sign-up on the invitation page is a form error: the page draws
it as the error summary every form has (focus, "Error: " title), not a bare alert (issue 17,
item 13)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from memberships.models import Membership
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

ACCEPT = reverse("invitations:accept")


def summary_of(page: str) -> str:
    match = re.search(
        r'<div class="error-summary[^"]*"[^>]*data-error-summary>(.*?)</div>\s*</div>', page, re.S
    )
    assert match, page
    return match.group(1)


def assert_refused(response, wording: str) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<title>\s*Error: ", page), re.search(r"<title>.*?</title>", page, re.S)
    assert wording in summary_of(page)
    assert page.count("data-error-summary") == 1


def test_accept_refused_because_the_offered_access_has_ended_is_the_error_summary(client_for):
    invitation = InvitationFactory(access_until=timezone.now() - timedelta(hours=1))
    invitee = UserFactory(email=invitation.email)
    client = client_for(invitee)
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    response = client.post(ACCEPT, {"action": "accept"})
    assert_refused(response, "has already ended")
    assert not Membership.objects.filter(account=invitation.account).exists()


def test_wrong_person_and_unknown_action_are_the_error_summary(client_for):
    invitation = InvitationFactory()
    client = client_for(UserFactory())
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    assert_refused(client.post(ACCEPT, {"action": "accept"}), "This invitation is for")
    assert_refused(client.post(ACCEPT, {"action": "decline"}), "Sign out first")
    assert_refused(client.post(ACCEPT, {"action": "nonsense"}), "Choose Accept or Decline.")
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_the_page_without_a_refusal_has_no_summary_and_a_plain_title(client_for):
    invitation = InvitationFactory()
    invitee = UserFactory(email=invitation.email)
    client = client_for(invitee)
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    page = client.get(ACCEPT).content.decode()
    assert "data-error-summary" not in page
    assert not re.search(r"<title>\s*Error: ", page)

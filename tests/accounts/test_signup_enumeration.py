"""Sign-up, log-in and password reset never tell a visitor whether an email has a login.

Sign-up asks every new email to be verified (ACCOUNT_EMAIL_VERIFICATION = "mandatory"), so a
sign-up with an email that already has a login can answer exactly as a new one does ("verify
your email") while allauth emails the existing person instead (ACCOUNT_PREVENT_ENUMERATION).
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Account, User
from memberships.models import Membership
from people.management.commands.seed_demo import DEMO_PASSWORD, USERS
from tests.email_links import follow_verification_link
from tests.factories import TEST_PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Blue-Harbour-77!"
EXISTING = "ana@example.com"
NEW = "bea@example.com"


def signup(client, email, *, follow=False):
    data = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "email": email,
        "account_name": "Lopez Bakery",
        "password1": STRONG,
        "password2": STRONG,
    }
    return client.post(reverse("account_signup"), data, follow=follow)


def headline(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, "the page has a headline"
    return " ".join(match.group(1).split())


def page_without(response, email: str) -> str:
    """The page's HTML with the typed email and the per-session CSRF token taken out."""
    body = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)


def test_signup_with_an_existing_email_shows_exactly_the_page_a_new_email_gets(mailoutbox):
    existing = UserFactory(email=EXISTING)

    new_email = signup(Client(), NEW, follow=True)
    taken_email = signup(Client(), EXISTING, follow=True)

    assert taken_email.status_code == new_email.status_code == 200
    assert taken_email.redirect_chain == new_email.redirect_chain
    assert new_email.redirect_chain == [(reverse("account_email_verification_sent"), 302)]
    assert [t.name for t in taken_email.templates] == [t.name for t in new_email.templates]
    assert headline(taken_email) == headline(new_email) == "Verify your email address"
    assert page_without(taken_email, EXISTING) == page_without(new_email, NEW)

    # No second login and no account for the taken email; the person who has it is told.
    assert list(User.objects.filter(email=EXISTING)) == [existing]
    assert not Membership.objects.filter(user=existing).exists()
    assert Account.objects.count() == 1  # the new sign-up's
    [told] = [m for m in mailoutbox if m.to == [EXISTING]]
    assert "already exists" in told.subject.lower()
    assert reverse("account_reset_password") in told.body
    assert "confirm-email" not in told.body  # nothing to verify: the login is already theirs


def test_signup_with_an_existing_email_hashes_a_password_as_a_new_signup_does(monkeypatch):
    """Without it the taken email answers a password hash sooner: a timing tell."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    UserFactory(email=EXISTING)
    hashed = []
    encode = MD5PasswordHasher.encode

    def counting_encode(self, *args, **kwargs):
        hashed.append(1)
        return encode(self, *args, **kwargs)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting_encode)
    signup(Client(), NEW)
    for_new = len(hashed)
    signup(Client(), EXISTING)
    assert for_new >= 1
    assert len(hashed) - for_new == for_new


def test_signup_with_a_case_variant_of_an_existing_email_creates_nobody(mailoutbox):
    UserFactory(email=EXISTING)
    response = signup(Client(), EXISTING.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert not Membership.objects.exists()
    assert [m.to for m in mailoutbox] == [[EXISTING]]


def test_fresh_signup_reaches_account_pages_only_after_following_the_emailed_link(mailoutbox):
    client = Client()
    response = signup(client, NEW)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email=NEW)
    assert not EmailAddress.objects.get(user=user).verified
    overview = reverse("overview", kwargs={"slug": "lopez-bakery"})
    for page in [reverse("home"), overview, reverse("profile")]:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    # Logging in with the right password before verifying sends them to verify, too.
    response = client.post(reverse("account_login"), {"login": NEW, "password": STRONG})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    response = follow_verification_link(client, mailoutbox, NEW)

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(response["Location"])["Location"] == overview
    assert client.get(overview).status_code == 200


def test_the_link_opened_in_another_browser_verifies_but_does_not_log_in(mailoutbox):
    signup(Client(), NEW)
    elsewhere = Client()
    response = follow_verification_link(elsewhere, mailoutbox, NEW)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=NEW).verified
    assert "_auth_user_id" not in elsewhere.session
    response = elsewhere.post(reverse("account_login"), {"login": NEW, "password": STRONG})
    assert response["Location"] == reverse("home")
    assert "_auth_user_id" in elsewhere.session


def test_login_with_an_unverified_email_sends_the_person_to_verify(mailoutbox):
    user = UserFactory(email=NEW)
    EmailAddress.objects.filter(user=user).update(verified=False)
    client = Client()
    response = client.post(reverse("account_login"), {"login": NEW, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mailoutbox] == [[NEW]]


@pytest.mark.parametrize("email", [EXISTING, NEW, "nobody@example.com"])
def test_a_failed_login_looks_the_same_whatever_the_email(email):
    UserFactory(email=EXISTING)
    unverified = UserFactory(email=NEW)
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": "Wrong-pass-12!"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The email address or password is not correct." in body
    assert "verif" not in body.lower()
    assert "_auth_user_id" not in client.session


def test_password_reset_answers_the_same_for_unknown_emails(mailoutbox):
    UserFactory(email=EXISTING)
    answers = [
        Client().post(reverse("account_reset_password"), {"email": email})
        for email in [EXISTING, "nobody@example.com"]
    ]
    assert [(r.status_code, r["Location"]) for r in answers] == [
        (302, reverse("account_reset_password_done"))
    ] * 2


def test_invitation_signup_lands_the_invitee_in_the_account_in_one_step(mailoutbox):
    invitation = InvitationFactory(role="author")
    client = Client()
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    response = client.post(
        reverse("invitations:accept"),
        {
            "action": "signup",
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    overview = reverse("overview", kwargs={"slug": invitation.account.slug})
    assert response.status_code == 302
    assert response["Location"] == overview
    assert client.get(overview).status_code == 200
    assert EmailAddress.objects.get(email=invitation.email).verified
    assert not [m for m in mailoutbox if "verif" in m.subject.lower()]
    # The next visit logs in with the password and lands in the account, no link to follow.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": invitation.email, "password": STRONG}
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == overview


def test_every_demo_login_can_sign_in():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for email, *_ in USERS:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": email, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        assert response["Location"] == reverse("home"), email
        assert "_auth_user_id" in client.session, email


def test_seed_demo_verifies_a_demo_email_left_unverified():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    EmailAddress.objects.filter(email="viewer@acme.test").update(verified=False)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert EmailAddress.objects.get(email="viewer@acme.test").verified

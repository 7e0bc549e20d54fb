"""The accept link: GET changes nothing, the token leaves the URL, each visitor's path."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import ActivityEvent
from invitations.models import Invitation
from memberships.models import Membership
from tests.factories import (
    TEST_PASSWORD,
    AccountFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ACCEPT = reverse("invitations:accept")
STRONG = "Blue-Harbour-77!"


def open_link(client, invitation):
    """Follow the emailed link: the token goes into the session; returns the first response."""
    return client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))


def test_first_get_moves_token_into_session_and_redirects_to_tokenless_url(client):
    invitation = InvitationFactory()
    response = open_link(client, invitation)
    assert response.status_code == 302
    assert response["Location"] == ACCEPT
    assert "no-store" in response["Cache-Control"]
    assert invitation.raw_token not in str(dict(client.session))
    page = client.get(ACCEPT)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert invitation.raw_token not in page.content.decode()
    content = page.content.decode()
    assert invitation.account.name in content
    assert invitation.invited_by.display_name in content
    assert "Viewer" in content


def test_get_never_changes_anything(client):
    invitation = InvitationFactory()
    UserFactory(email=invitation.email)
    open_link(client, invitation)
    client.get(ACCEPT)
    client.get(ACCEPT)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(account=invitation.account).exists()
    assert not ActivityEvent.objects.exists()


def test_accept_page_without_link_in_session_is_invalid(client):
    response = client.get(ACCEPT)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_new_visitor_creates_a_login_and_joins_at_invited_level(client):
    invitation = InvitationFactory(role="author")
    open_link(client, invitation)
    response = client.post(
        ACCEPT,
        {
            "action": "signup",
            "email": "forged@example.com",  # the email field is fixed by the invitation
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": STRONG,
            "password2": STRONG,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("overview", kwargs={"slug": invitation.account.slug})
    user = User.objects.get(email=invitation.email)
    assert user.first_name == "Ana" and user.check_password(STRONG)
    assert not User.objects.filter(email="forged@example.com").exists()
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True)
    membership = Membership.objects.get(user=user, account=invitation.account)
    assert membership.role == "author"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    # One row for the one event: the acceptance, at the level joined.
    rows = list(ActivityEvent.objects.values_list("action", "target_label", "new_value"))
    assert rows == [("invitation.accepted", invitation.email, "Author")]
    # Logged in, into that account.
    overview = client.get(response["Location"])
    assert overview.status_code == 200
    assert overview.context["membership"] == membership


def test_weak_password_shows_each_broken_rule_and_creates_nothing(client):
    invitation = InvitationFactory()
    open_link(client, invitation)
    response = client.post(
        ACCEPT,
        {
            "action": "signup",
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": "short",
            "password2": "short",
        },
    )
    assert response.status_code == 400
    errors = response.context["signup_form"].errors["password1"]
    assert len(errors) >= 3  # too short, no uppercase, no digit, no special character
    assert any("uppercase" in e for e in errors) and any("digit" in e for e in errors)
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_visitor_with_a_login_is_sent_to_sign_in_and_back(client):
    invitation = InvitationFactory(role="manager")
    user = UserFactory(email=invitation.email)
    open_link(client, invitation)
    page = client.get(ACCEPT)
    login_url = f"{reverse('account_login')}?next={ACCEPT}"
    assert page.context["has_login"] and login_url in page.content.decode()
    assert page.context["signup_form"] is None
    # Accepting before signing in only sends them to sign in.
    assert client.post(ACCEPT, {"action": "accept"})["Location"] == login_url
    signed_in = client.post(login_url, {"login": user.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == ACCEPT
    assert client.get(ACCEPT).context["signed_in_as_invitee"]
    response = client.post(ACCEPT, {"action": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=user, account=invitation.account).role == "manager"


def test_signed_in_as_someone_else_accepts_nothing(client_for):
    invitation = InvitationFactory()
    UserFactory(email=invitation.email)
    other = UserFactory()
    client = client_for(other)
    open_link(client, invitation)
    page = client.get(ACCEPT)
    assert page.context["signed_in_as_other"]
    assert "This invitation is for" in page.content.decode()
    for action in ["accept", "decline", "signup"]:
        response = client.post(
            ACCEPT,
            {
                "action": action,
                "first_name": "X",
                "last_name": "Y",
                "password1": STRONG,
                "password2": STRONG,
            },
        )
        assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(account=invitation.account).exists()
    # "Sign out and continue" signs them out and keeps the invitation.
    response = client.post(ACCEPT, {"action": "signout"})
    assert response["Location"] == ACCEPT
    page = client.get(ACCEPT)
    assert not page.context["user"].is_authenticated
    assert page.context["has_login"]


def test_existing_member_is_told_and_nothing_changes(client_for):
    membership = MembershipFactory(role="admin")
    invitation = InvitationFactory(account=membership.account, email=membership.user.email)
    client = client_for(membership.user)
    open_link(client, invitation)
    response = client.post(ACCEPT, {"action": "accept"}, follow=True)
    assert "already a member" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert Membership.objects.filter(account=membership.account).count() == 1
    assert not ActivityEvent.objects.filter(action="member.joined").exists()


def test_decline_marks_declined_and_emails_the_inviter(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory()
    open_link(client, invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACCEPT, {"action": "decline"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert ActivityEvent.objects.filter(action="invitation.declined").count() == 1
    assert [m.to for m in mailoutbox] == [[invitation.invited_by.email]]
    assert invitation.email in mailoutbox[0].subject
    # The link now says so.
    open_link(client, invitation)
    assert "was declined" in client.get(ACCEPT).content.decode()


@pytest.mark.parametrize(
    ("status", "wording"),
    [
        ("cancelled", "was cancelled"),
        ("accepted", "was already used"),
        ("declined", "was declined"),
        ("expired", "has expired"),
    ],
)
def test_closed_link_says_which_and_accepts_nothing(client_for, status, wording):
    invitation = InvitationFactory(status=status)
    user = UserFactory(email=invitation.email)
    client = client_for(user)
    open_link(client, invitation)
    page = client.get(ACCEPT)
    assert page.status_code == 410
    assert wording in page.content.decode()
    assert client.post(ACCEPT, {"action": "accept"}).status_code == 410
    assert not Membership.objects.filter(user=user).exists()


def test_link_past_its_expiry_fails(client_for):
    invitation = InvitationFactory()
    user = UserFactory(email=invitation.email)
    client = client_for(user)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        open_link(client, invitation)
        page = client.get(ACCEPT)
        assert page.status_code == 410 and "has expired" in page.content.decode()
        assert client.post(ACCEPT, {"action": "accept"}).status_code == 410
    assert not Membership.objects.filter(user=user).exists()


def test_accept_into_account_requiring_2fa_ends_on_2fa_setup(client):
    account = AccountFactory(require_2fa=True)
    invitation = InvitationFactory(account=account)
    open_link(client, invitation)
    response = client.post(
        ACCEPT,
        {
            "action": "signup",
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": STRONG,
            "password2": STRONG,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "two_factor_required", kwargs={"slug": account.slug}
    )
    assert Membership.objects.filter(account=account, user__email=invitation.email).exists()


def test_guessing_tokens_is_rate_limited_per_ip(client):
    invitation = InvitationFactory()
    for i in range(20):
        response = client.get(reverse("invitations:token", kwargs={"token": f"guess{i}"}))
        assert response.status_code == 404
    # Blocked now, even with the right token.
    response = open_link(client, invitation)
    assert response.status_code == 429
    assert "no-store" in response["Cache-Control"]
    # Another IP is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert open_link(other, invitation).status_code == 302


def test_token_is_not_stored_in_plain_text_anywhere(
    client_for, account, members, mailoutbox, django_capture_on_commit_callbacks
):
    from django.apps import apps
    from django.db import connection

    from tests.invitations.conftest import token_from

    client = client_for(members["admin"].user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("invitations:invite", kwargs={"slug": account.slug}),
            {"emails": "ana@example.com", "accounts": [account.pk], "level": "viewer"},
        )
    token = token_from(mailoutbox[0])
    visitor = Client()
    visitor.get(reverse("invitations:token", kwargs={"token": token}))
    visitor.get(ACCEPT)
    # Every text column of every table (sessions included) is searched for the token.
    hits = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if field.get_internal_type() in {
                    "CharField",
                    "TextField",
                    "EmailField",
                    "JSONField",
                }:
                    column = connection.ops.quote_name(field.column)
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                        f"WHERE CAST({column} AS TEXT) LIKE %s",
                        [f"%{token}%"],
                    )
                    if cursor.fetchone()[0]:
                        hits.append(f"{table}.{field.column}")
    assert hits == []
    # The session holds the digest, which finds the invitation, never the token.
    assert token not in str(dict(visitor.session))
    assert Invitation.objects.get().token_hash in str(dict(visitor.session))

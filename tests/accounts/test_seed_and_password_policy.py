import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Account, User
from memberships.models import Membership
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def counts():
    from invitations.models import Invitation

    return (
        User.objects.count(),
        Account.objects.count(),
        Membership.objects.count(),
        Invitation.objects.filter(status="pending").count(),
    )


def test_seed_demo_creates_every_level_on_two_plans_and_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = counts()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    assert first[3] == 2
    assert {a.plan for a in Account.objects.all()} == {"premium", "standard"}
    assert set(Membership.objects.values_list("role", flat=True)) == {
        "owner",
        "admin",
        "manager",
        "author",
        "viewer",
    }
    shared = User.objects.get(email="admin@acme.test")
    assert shared.memberships.count() == 2
    assert shared.check_password("Roster-demo-2026!")


def test_password_change_applies_the_policy(client_for):
    user = UserFactory()
    client = client_for(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "weakpassword", "password2": "weakpassword"},
    )
    body = response.content.decode()
    assert "at least one uppercase letter" in body and "at least one digit" in body
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_reset_applies_the_policy(client, mailoutbox):
    user = UserFactory(email="reset@example.test")
    client.post(reverse("account_reset_password"), {"email": "RESET@example.test"})
    assert len(mailoutbox) == 1
    link = re.search(
        r"https?://[^\s]+/accounts/password/reset/key/[^\s]+", mailoutbox[0].body
    ).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(form_path, {"password1": "short", "password2": "short"})
    body = response.content.decode()
    assert "at least 10 characters" in body and "at least one special character" in body
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
    response = client.post(
        form_path, {"password1": "New-Strong-77!x", "password2": "New-Strong-77!x"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-Strong-77!x")

"""Two-factor authentication: the login stage, TOTP replay, and "Require 2FA" enforcement."""

import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.apikeys.test_views import recently_authenticated
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


def overview(account):
    return reverse("overview", kwargs={"slug": account.slug})


def password_step(client, user):
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    return response


def test_login_with_totp_needs_the_code(members, account, enable_totp):
    user = members["viewer"].user
    totp = enable_totp(user)
    client = Client()
    password_step(client, user)
    response = client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    assert response.status_code == 302
    assert client.get(overview(account)).status_code == 200


def test_a_used_totp_code_cannot_be_replayed(members, account, enable_totp):
    user = members["viewer"].user
    totp = enable_totp(user)
    with time_machine.travel(time.time(), tick=False):
        code = totp.now()
        first = Client()
        password_step(first, user)
        assert first.post(MFA_AUTHENTICATE, {"code": code}).status_code == 302

        second = Client()
        password_step(second, user)
        response = second.post(MFA_AUTHENTICATE, {"code": code})
        assert response.status_code == 200
        assert b"Incorrect code" in response.content
        assert "_auth_user_id" not in second.session


def test_the_half_logged_in_state_reaches_no_account_page(members, account, enable_totp):
    user = members["owner"].user
    enable_totp(user)
    client = Client()
    password_step(client, user)
    for path in [
        overview(account),
        reverse("apikeys:list", kwargs={"slug": account.slug}),
        "/api/v1/members",
    ]:
        response = client.get(path)
        assert response.status_code in {302, 401}, path
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_the_half_logged_in_state_expires(members, account, enable_totp, settings):
    user = members["viewer"].user
    totp = enable_totp(user)
    client = Client()
    with time_machine.travel(time.time(), tick=False) as clock:
        password_step(client, user)
        clock.shift(15 * 60 + 1)  # allauth ACCOUNT_LOGIN_TIMEOUT (15 minutes by default)
        response = client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get(overview(account))["Location"].startswith(LOGIN)


def test_wrong_codes_are_rate_limited(members, enable_totp):
    user = members["viewer"].user
    totp = enable_totp(user)
    client = Client()
    password_step(client, user)
    for _ in range(5):
        client.post(MFA_AUTHENTICATE, {"code": "000000"})
    response = client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    assert response.status_code == 200  # even the right code is refused while locked out
    assert "_auth_user_id" not in client.session


# --- "Require two-factor authentication" -----------------------------------------------------


@pytest.fixture
def required(account):
    account.require_2fa = True
    account.save()
    return account


def account_pages(account):
    slug = {"slug": account.slug}
    return [
        reverse("overview", kwargs=slug),
        reverse("people:roles", kwargs=slug),
        reverse("apikeys:list", kwargs=slug),
        reverse("apikeys:create", kwargs=slug),
    ]


def test_required_2fa_sends_a_member_without_it_to_setup_from_every_page(
    client_for, members, required
):
    client = client_for(members["admin"].user)
    for path in account_pages(required):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse(
            "two_factor_required", kwargs={"slug": required.slug}
        )
    page = client.get(reverse("two_factor_required", kwargs={"slug": required.slug}))
    assert page.status_code == 200
    assert reverse("mfa_activate_totp").encode() in page.content


def test_required_2fa_leaves_the_members_other_accounts_alone(client_for, members, required):
    other = AccountFactory()
    MembershipFactory(account=other, user=members["viewer"].user, role="viewer")
    client = client_for(members["viewer"].user)
    assert client.get(overview(other)).status_code == 200
    assert client.get(overview(required)).status_code == 302


def test_setting_up_totp_releases_the_member(client_for, members, required):
    import pyotp

    client = client_for(members["viewer"].user)
    assert client.get(overview(required)).status_code == 302
    recently_authenticated(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=members["viewer"].user, type="totp").exists()
    assert client.get(overview(required)).status_code == 200


def test_2fa_cannot_be_removed_while_an_account_requires_it(
    client_for, members, required, enable_totp
):
    user = members["viewer"].user
    enable_totp(user)
    client = recently_authenticated(client_for(user))
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert b"requires it" in response.content
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    required.require_2fa = False
    required.save()
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()


def test_removing_2fa_asks_for_reauthentication(client_for, members, enable_totp):
    user = members["viewer"].user
    enable_totp(user)
    response = client_for(user).post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=user, type="totp").exists()


def test_a_second_authenticator_may_go_while_one_stays(members, required, enable_totp):
    from security.adapters import MFAAdapter

    user = members["viewer"].user
    enable_totp(user)
    key = Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={})
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    adapter = MFAAdapter()
    assert adapter.can_delete_authenticator(key) is True
    assert adapter.can_delete_authenticator(totp) is True
    key.delete()
    assert adapter.can_delete_authenticator(totp) is False


def test_a_closed_account_requiring_2fa_does_not_pin_it(members, required, enable_totp):
    from django.utils import timezone

    from security.adapters import MFAAdapter

    enable_totp(members["viewer"].user)
    required.closed_at = timezone.now()
    required.save()
    totp = Authenticator.objects.get(user=members["viewer"].user, type="totp")
    assert MFAAdapter().can_delete_authenticator(totp) is True


def test_required_2fa_holds_an_invitee_right_after_accepting_until_set_up(
    client_for, members, required, enable_totp
):
    from invitations.models import Invitation
    from invitations.services import invite_users
    from invitations.tokens import make_token
    from tests.factories import UserFactory

    enable_totp(members["owner"].user)
    invitee = UserFactory(email="invitee@example.test")
    [invitation] = invite_users(
        accounts=[required], emails=[invitee.email], level="author", actor=members["owner"].user
    )
    raw, digest = make_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=digest)

    client = client_for(invitee)
    client.get(f"/invitations/{raw}/")
    response = client.post("/invitations/accept/", {"action": "accept"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "two_factor_required", kwargs={"slug": required.slug}
    )
    assert required.memberships.filter(user=invitee, role="author").exists()
    for path in account_pages(required):
        assert client.get(path).status_code == 302, path

    enable_totp(invitee)
    assert client.get(overview(required)).status_code == 200


def test_a_recovery_code_works_once(members, account, enable_totp):
    from allauth.mfa.models import Authenticator as A

    user = members["viewer"].user
    enable_totp(user)
    code = A.objects.get(user=user, type=A.Type.RECOVERY_CODES).wrap().get_unused_codes()[0]
    first = Client()
    password_step(first, user)
    assert first.post(MFA_AUTHENTICATE, {"code": code}).status_code == 302
    assert first.get(overview(account)).status_code == 200
    second = Client()
    password_step(second, user)
    assert second.post(MFA_AUTHENTICATE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in second.session

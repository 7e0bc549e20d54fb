"""An account that accepts "an authenticator app or a security key only" is not opened by a
session that signed in with a text message, even when the person also has an app (a SIM
swap gives the phone, not the app): they confirm with the app first. Text messages are not
offered beside an app where no account of the person would accept them."""

import pytest
from django.urls import reverse

from accounts.models import TwoFactorMethods
from invitations.models import Invitation
from sms.models import Challenge
from tests.api.conftest import ApiClient
from tests.factories import TEST_PASSWORD, AccountFactory, ApiKeyFactory, MembershipFactory
from tests.sms.conftest import last_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SMS_AUTHENTICATE = "/accounts/2fa/sms/authenticate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


def overview(account):
    return reverse("overview", kwargs={"slug": account.slug})


def require(account, methods):
    account.require_2fa = True
    account.two_factor_methods = methods
    account.save(update_fields=["require_2fa", "two_factor_methods"])


@pytest.fixture
def swapped(sms_user, enable_totp):
    """A member with an app and SMS of an account that accepts an app or a key only, and
    an account of theirs that accepts text messages (so SMS is still offered at login)."""
    membership = MembershipFactory(role="admin")
    require(membership.account, TwoFactorMethods.APP_OR_KEY)
    lenient = MembershipFactory(user=membership.user, role="author").account
    require(lenient, TwoFactorMethods.ANY)
    totp = enable_totp(membership.user)
    sms_user(membership.user)
    return membership, lenient, totp


def sign_in_by_sms(client, user, outbox):
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response["Location"] == MFA_AUTHENTICATE
    assert client.post(reverse("sms_use_text_message"))["Location"] == SMS_AUTHENTICATE
    client.get(SMS_AUTHENTICATE)
    response = client.post(SMS_AUTHENTICATE, {"code": last_code(outbox)})
    assert response.status_code == 302


def test_a_session_signed_in_by_sms_does_not_open_an_app_or_key_only_account(
    swapped, sms_outbox, Client
):
    membership, lenient, _ = swapped
    client = Client()
    sign_in_by_sms(client, membership.user, sms_outbox)
    assert client.get(overview(lenient)).status_code == 200  # text messages count there
    response = client.get(overview(membership.account))
    assert response.status_code == 302
    page_url = reverse("two_factor_required", kwargs={"slug": membership.account.slug})
    assert response["Location"] == page_url
    page = client.get(page_url).content.decode()
    assert "Confirm with your app or key" in page
    assert reverse("mfa_reauthenticate") in page
    # Posting a form in that session is refused the same way, and changes nothing.
    invite = client.post(
        reverse("invitations:invite", kwargs={"slug": membership.account.slug}),
        {"emails": "new@example.com", "role": "viewer"},
    )
    assert invite["Location"] == page_url
    assert not Invitation.objects.exists()


def test_confirming_with_the_app_opens_it(swapped, sms_outbox, Client):
    membership, _, totp = swapped
    client = Client()
    sign_in_by_sms(client, membership.user, sms_outbox)
    assert client.get(overview(membership.account)).status_code == 302
    response = client.post(
        reverse("mfa_reauthenticate") + f"?next={overview(membership.account)}",
        {"code": totp.now()},
    )
    assert response.status_code == 302
    assert client.get(overview(membership.account)).status_code == 200


def test_a_session_signed_in_with_the_app_opens_it(swapped, Client):
    membership, _, totp = swapped
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    assert client.get(overview(membership.account)).status_code == 200


def test_an_sms_re_authentication_does_not_turn_an_app_login_into_sms(swapped, sms_outbox, Client):
    membership, _, totp = swapped
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    client.post(reverse("sms_reauthenticate"), {"resend": "1"})
    client.post(reverse("sms_reauthenticate"), {"code": last_code(sms_outbox)})
    assert client.get(overview(membership.account)).status_code == 200


def test_sms_is_not_offered_beside_an_app_when_no_account_would_take_it(
    sms_user, enable_totp, sms_outbox, Client, client_for
):
    membership = MembershipFactory(role="admin")
    require(membership.account, TwoFactorMethods.APP_OR_KEY)
    enable_totp(membership.user)
    sms_user(membership.user)
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    page = client.get(MFA_AUTHENTICATE).content.decode()
    assert "Text me a code instead" not in page
    # Posting the choice anyway changes nothing: back to the app.
    assert client.post(reverse("sms_use_text_message"))["Location"] == MFA_AUTHENTICATE
    assert client.get(SMS_AUTHENTICATE)["Location"] == reverse("account_login")
    assert sms_outbox == []
    # Nor to re-authenticate.
    stale = client_for(membership.user, stale=True)
    page = stale.get(reverse("account_reauthenticate")).content.decode()
    assert reverse("sms_reauthenticate") not in page
    response = stale.post(reverse("sms_reauthenticate"), {"resend": "1"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Challenge.objects.exists()


def test_sms_stays_offered_beside_an_app_without_such_accounts(sms_user, enable_totp, Client):
    membership = MembershipFactory()
    AccountFactory()  # someone else's app-or-key-only account changes nothing
    enable_totp(membership.user)
    sms_user(membership.user)
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    assert "Text me a code instead" in client.get(MFA_AUTHENTICATE).content.decode()


def test_api_keys_are_judged_by_the_creators_factors_not_a_session(swapped, sms_outbox, Client):
    membership, _, _ = swapped
    client = Client()
    sign_in_by_sms(client, membership.user, sms_outbox)
    key = ApiKeyFactory(account=membership.account, created_by=membership.user)
    # Even with the SMS session's cookie along, the key's creator has an app: it works.
    api = ApiClient(key.raw_key)
    api.client.cookies = client.cookies
    assert api("GET", "/members").status_code == 200


def test_an_app_added_or_replaced_in_the_sms_session_is_no_proof(
    swapped, sms_outbox, Client, enable_totp
):
    """Whoever swapped the SIM (and knows the password) could replace the app, or add a
    security key, in the session they opened by text message: only an app or a key the
    person had when that session used the text message counts."""
    from allauth.mfa.models import Authenticator

    membership, _, _ = swapped
    client = Client()
    sign_in_by_sms(client, membership.user, sms_outbox)
    # What the attacker's pages would leave behind: the person's app gone, theirs in place.
    Authenticator.objects.filter(user=membership.user).delete()
    attackers_app = enable_totp(membership.user)
    client.post(
        reverse("mfa_reauthenticate") + f"?next={overview(membership.account)}",
        {"code": attackers_app.now()},
    )
    response = client.get(overview(membership.account))
    assert response["Location"] == reverse(
        "two_factor_required", kwargs={"slug": membership.account.slug}
    )


def test_someone_with_sms_only_sets_up_an_app_and_confirms_with_it(
    sms_user, sms_outbox, Client, enable_totp
):
    membership = MembershipFactory(role="author")
    require(membership.account, TwoFactorMethods.APP_OR_KEY)
    sms_user(membership.user)
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    client.get(SMS_AUTHENTICATE)
    client.post(SMS_AUTHENTICATE, {"code": last_code(sms_outbox)})
    page_url = reverse("two_factor_required", kwargs={"slug": membership.account.slug})
    assert client.get(overview(membership.account))["Location"] == page_url
    assert "Set up an authenticator app" in client.get(page_url).content.decode()
    totp = enable_totp(membership.user)  # (allauth's set-up page, tested by allauth)
    assert client.get(overview(membership.account))["Location"] == page_url
    assert "Confirm with your app or key" in client.get(page_url).content.decode()
    client.post(reverse("mfa_reauthenticate"), {"code": totp.now()})
    assert client.get(overview(membership.account)).status_code == 200


@pytest.mark.parametrize(
    ("records", "proves"),
    [
        ([{"method": "password"}], True),
        ([{"method": "mfa", "type": "totp", "id": 1}], True),
        ([{"method": "mfa", "type": "sms", "app_or_key": [1, 2]}], False),
        (
            [
                {"method": "mfa", "type": "sms", "app_or_key": [1, 2]},
                {"method": "mfa", "type": "totp", "id": 1, "reauthenticated": True},
            ],
            True,
        ),
        (
            [
                {"method": "mfa", "type": "sms", "app_or_key": [1, 2]},
                {"method": "mfa", "type": "webauthn", "id": 9, "reauthenticated": True},
            ],
            False,
        ),
        (
            [
                {"method": "mfa", "type": "sms", "app_or_key": []},
                {"method": "mfa", "type": "totp", "id": 9, "reauthenticated": True},
            ],
            True,
        ),
        (
            [
                {"method": "mfa", "type": "totp", "id": 1},
                {"method": "mfa", "type": "sms", "app_or_key": [1], "reauthenticated": True},
            ],
            True,
        ),
        ([{"method": "mfa", "type": "sms"}, {"method": "mfa", "type": "totp", "id": 1}], False),
        (["garbage", {"method": "mfa", "type": "sms", "app_or_key": "1"}], False),
    ],
)
def test_which_records_prove_an_app_or_a_key(records, proves):
    from sms.session import proves_app_or_key

    assert proves_app_or_key(records) is proves


def test_scim_tokens_are_judged_by_the_creators_factors_not_a_session(swapped, sms_outbox, Client):
    from scim import services as scim_services
    from scim.models import Provisioning
    from tests.scim.conftest import ScimClient

    membership, _, _ = swapped
    account = membership.account
    account.plan = "premium"
    account.save(update_fields=["plan"])
    Provisioning.objects.create(account=account, enabled=True)
    _token, raw = scim_services.create_token(account=account, name="Okta", actor=membership.user)
    client = Client()
    sign_in_by_sms(client, membership.user, sms_outbox)
    # Even with the SMS session's cookie along, the token's creator has an app: it works.
    scim = ScimClient(raw)
    scim.client.cookies = client.cookies
    assert scim.get("Users").status_code == 200

"""Policy (issue 18, item 5): "Require 2FA" counts SMS by default; an Owner may accept an
app or a security key only, and then the gate refuses a member whose only factor is SMS, on
pages and with API keys alike; the preview shows who that affects; the 2FA reset clears SMS."""

import pytest
from django.urls import reverse

from accounts.models import TwoFactorMethods
from audit.models import ActivityEvent
from memberships import access
from sms.models import PhoneNumber, SecurityAction, SecurityEvent
from tests.api.conftest import ApiClient
from tests.apikeys.test_views import recently_authenticated
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def overview(account):
    return reverse("overview", kwargs={"slug": account.slug})


def two_factor_page(account):
    return reverse("account_settings:two_factor", kwargs={"slug": account.slug})


@pytest.fixture
def required(account):
    account.require_2fa = True
    account.save(update_fields=["require_2fa"])
    return account


def app_or_key_only(account):
    account.two_factor_methods = TwoFactorMethods.APP_OR_KEY
    account.save(update_fields=["two_factor_methods"])


def test_sms_meets_require_2fa_by_default(members, required, sms_user, client_for):
    author = members["author"].user
    assert client_for(author).get(overview(required))["Location"].endswith("/two-factor-required/")
    sms_user(author)
    assert client_for(author).get(overview(required)).status_code == 200


def test_app_or_key_only_refuses_a_member_whose_only_factor_is_sms(
    members, required, sms_user, client_for
):
    author = members["author"].user
    sms_user(author)
    app_or_key_only(required)
    response = client_for(author).get(overview(required))
    assert response["Location"] == reverse("two_factor_required", kwargs={"slug": required.slug})
    page = client_for(author).get(response["Location"]).content.decode()
    assert "Set up an authenticator app" in page
    assert access.decide(author, required).refusal == access.Refusal.TWO_FACTOR_REQUIRED


def test_app_or_key_only_lets_an_app_through(members, required, sms_user, client_for, enable_totp):
    author = members["author"].user
    sms_user(author)
    enable_totp(author)
    app_or_key_only(required)
    assert client_for(author).get(overview(required)).status_code == 200


def test_api_keys_follow_the_same_rule(members, required, sms_user):
    owner = members["owner"].user
    sms_user(owner)
    key = ApiKeyFactory(account=required, created_by=owner)
    api = ApiClient(key.raw_key)
    assert api("GET", "/members").status_code == 200
    app_or_key_only(required)
    response = api("GET", "/members")
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_required"


def test_an_unverified_number_or_sms_turned_off_is_no_factor(members, required, sms_user):
    author = members["author"].user
    phone = sms_user(author, verified=False)
    assert access.decide(author, required).refusal == access.Refusal.TWO_FACTOR_REQUIRED
    phone.verified_at, phone.two_factor_since = phone.verified_at or required.created_at, None
    phone.save()
    assert access.decide(author, required).refusal == access.Refusal.TWO_FACTOR_REQUIRED


def test_the_preview_reflects_the_method_choice(
    members, account, sms_user, client_for, enable_totp
):
    owner = members["owner"].user
    enable_totp(owner)
    sms_user(members["author"].user)
    client = client_for(owner)
    page = client.get(two_factor_page(account)).content.decode()
    assert "3 members without two-factor authentication" in page
    assert members["author"].user.email not in page
    page = client.get(two_factor_page(account), {"methods": "app_or_key"}).content.decode()
    assert "4 members without two-factor authentication" in page
    assert members["author"].user.email in page
    page = client.get(two_factor_page(account), {"methods": "nonsense"}).content.decode()
    assert "3 members without two-factor authentication" in page  # the saved choice


def test_the_owner_requires_app_or_key_only_and_it_is_logged(
    members, account, enable_totp, client_for, mailoutbox
):
    owner = members["owner"].user
    enable_totp(owner)
    client = client_for(owner)
    # (this client runs on-commit callbacks: tests/sms/conftest.py)
    response = client.post(two_factor_page(account), {"enabled": "on", "methods": "app_or_key"})
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.require_2fa and account.two_factor_methods == TwoFactorMethods.APP_OR_KEY
    event = ActivityEvent.objects.get(target_label="Two-factor methods that count")
    assert event.old_value == TwoFactorMethods.ANY.label
    assert event.new_value == TwoFactorMethods.APP_OR_KEY.label
    assert len(mailoutbox) == 4  # every other member: none has an app or a key


def test_narrowing_while_required_emails_the_members_who_only_have_sms(
    members,
    required,
    enable_totp,
    sms_user,
    client_for,
    mailoutbox,
):
    enable_totp(members["owner"].user)
    for role in ("admin", "manager", "author", "viewer"):
        if role == "viewer":
            enable_totp(members[role].user)
        else:
            sms_user(members[role].user, number=f"+3461234560{len(role)}")
    client_for(members["owner"].user).post(
        two_factor_page(required), {"enabled": "on", "methods": "app_or_key"}
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        members[r].user.email for r in ("admin", "manager", "author")
    )


def test_an_owner_with_only_sms_cannot_require_app_or_key_only(
    members, account, sms_user, client_for
):
    owner = members["owner"].user
    sms_user(owner)
    client = client_for(owner)
    response = client.post(
        two_factor_page(account), {"enabled": "on", "methods": "app_or_key"}, follow=True
    )
    assert "Set up an authenticator app or a security key for yourself" in response.content.decode()
    account.refresh_from_db()
    assert not account.require_2fa and account.two_factor_methods == TwoFactorMethods.ANY
    client.post(two_factor_page(account), {"enabled": "on", "methods": "any"})
    account.refresh_from_db()
    assert account.require_2fa  # SMS counts under "any"


def test_letting_sms_count_again_asks_for_reauthentication(
    members, required, enable_totp, client_for
):
    enable_totp(members["owner"].user)
    app_or_key_only(required)
    stale = client_for(members["owner"].user, stale=True)
    response = stale.post(two_factor_page(required), {"enabled": "on", "methods": "any"})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    required.refresh_from_db()
    assert required.two_factor_methods == TwoFactorMethods.APP_OR_KEY


def test_the_2fa_reset_clears_sms(members, account, sms_user, client_for):
    viewer = members["viewer"]
    sms_user(viewer.user)
    admin = recently_authenticated(client_for(members["admin"].user))
    response = admin.post(
        reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": viewer.pk})
    )
    assert response.status_code == 302
    phone = PhoneNumber.objects.get(user=viewer.user)
    assert phone.verified_at is None and phone.two_factor_since is None
    viewer.user.refresh_from_db()
    assert viewer.user.must_set_up_2fa
    assert ActivityEvent.objects.filter(action="member.2fa_reset").exists()
    assert SecurityEvent.objects.filter(
        user=viewer.user, action=SecurityAction.TWO_FACTOR_OFF
    ).exists()


def test_after_a_reset_sms_set_up_again_clears_the_flag(members, account, sms_user):
    user = members["viewer"].user
    user.must_set_up_2fa = True
    user.save(update_fields=["must_set_up_2fa"])
    assert access.decide(user, account).refusal == access.Refusal.TWO_FACTOR_RESET
    sms_user(user)
    assert access.decide(user, account).granted
    access.forget_met_two_factor_reset(user)
    user.refresh_from_db()
    assert not user.must_set_up_2fa


def test_the_last_app_may_go_when_sms_meets_every_requirement(
    members, required, sms_user, enable_totp
):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    user = members["author"].user
    enable_totp(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert not get_adapter().can_delete_authenticator(totp)
    sms_user(user)
    assert get_adapter().can_delete_authenticator(totp)
    app_or_key_only(required)
    assert not get_adapter().can_delete_authenticator(totp)


def test_the_set_up_page_offers_text_messages_only_where_they_count(members, required, client_for):
    author = members["author"].user
    page_url = reverse("two_factor_required", kwargs={"slug": required.slug})
    assert "Use text messages instead" in client_for(author).get(page_url).content.decode()
    app_or_key_only(required)
    page = client_for(author).get(page_url).content.decode()
    assert "Use text messages instead" not in page
    assert "text messages do not count here" in page


def test_the_reset_page_offers_to_reset_a_member_with_only_sms(
    members, account, sms_user, client_for
):
    viewer = members["viewer"]
    sms_user(viewer.user)
    admin = recently_authenticated(client_for(members["admin"].user))
    page = admin.get(
        reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": viewer.pk})
    ).content.decode()
    assert "turns off their text-message codes" in page


def test_the_users_page_and_the_api_count_sms_and_offer_the_reset(
    members, account, sms_user, client_for
):
    viewer = members["viewer"]
    sms_user(viewer.user)
    reset = reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": viewer.pk})
    page = client_for(members["admin"].user).get(
        reverse("people:users", kwargs={"slug": account.slug})
    )
    assert reset in page.content.decode()
    key = ApiKeyFactory(account=account, created_by=members["owner"].user)
    items = ApiClient(key.raw_key)("GET", "/members").json()["items"]
    by_email = {item["email"]: item["two_factor_enabled"] for item in items}
    assert by_email[viewer.user.email] is True
    assert by_email[members["author"].user.email] is False


def test_where_only_an_app_or_key_counts_the_users_page_and_api_say_off_and_offer_the_reset(
    members, account, sms_user, client_for, enable_totp
):
    owner, viewer = members["owner"].user, members["viewer"]
    enable_totp(owner)
    sms_user(viewer.user)
    app_or_key_only(account)
    reset = reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": viewer.pk})
    page = client_for(members["admin"].user).get(
        reverse("people:users", kwargs={"slug": account.slug})
    )
    assert reset in page.content.decode()  # text messages are still something to reset
    key = ApiKeyFactory(account=account, created_by=owner)
    items = ApiClient(key.raw_key)("GET", "/members").json()["items"]
    by_email = {item["email"]: item["two_factor_enabled"] for item in items}
    assert by_email[viewer.user.email] is False  # they do not meet this account's demand
    assert by_email[owner.email] is True


def test_a_reset_un_verifies_a_number_with_sms_off_and_says_so(
    members, account, sms_user, client_for
):
    viewer = members["viewer"]
    sms_user(viewer.user, two_factor=False)  # verified, but not a second factor
    admin = recently_authenticated(client_for(members["admin"].user))
    response = admin.post(
        reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": viewer.pk})
    )
    assert response.status_code == 302
    assert PhoneNumber.objects.get(user=viewer.user).verified_at is None
    event = ActivityEvent.objects.get(action="member.2fa_reset", target_user=viewer.user)
    assert event.old_value == "mobile number verified"
    assert SecurityEvent.objects.filter(
        user=viewer.user, action=SecurityAction.NUMBER_UNVERIFIED
    ).exists()
    viewer.user.refresh_from_db()
    assert not viewer.user.must_set_up_2fa  # they had no second factor to set up again

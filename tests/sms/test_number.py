"""The mobile number (issue 18, item 1): saving a new one in personal settings sends it a
code and it is used for 2FA only once the code is entered; changing or removing a number in
use for 2FA asks for re-authentication; the person's own pages show it, others mask it."""

import pytest
from django.urls import reverse

from accounts.models import TwoFactorMethods
from sms.models import PhoneNumber, SecurityAction, SecurityEvent, masked
from sms.selectors import has_sms_two_factor
from tests.factories import MembershipFactory, UserFactory
from tests.sms.conftest import last_code, other_code

pytestmark = pytest.mark.django_db

PROFILE = "/settings/profile/"
VERIFY = "/accounts/2fa/sms/verify/"
SMS_SETTINGS = "/accounts/2fa/sms/"


def profile_data(user, mobile):
    return {
        "first_name": user.first_name or "Ana",
        "last_name": user.last_name,
        "mobile": mobile,
        "time_zone": "UTC",
    }


def test_a_new_number_is_sent_a_code_and_verified_with_it(client_for, sms_outbox):
    user = UserFactory(mobile="")
    client = client_for(user)
    response = client.post(PROFILE, profile_data(user, "+34 612 345 678"))
    assert response["Location"] == VERIFY
    user.refresh_from_db()
    assert user.mobile == "+34612345678"
    phone = PhoneNumber.objects.get(user=user)
    assert not phone.is_verified
    assert sms_outbox[-1].to == "+34612345678"
    page = client.get(VERIFY).content.decode()
    assert "+34612345678" in page  # the person's own settings show the whole number
    response = client.post(VERIFY, {"code": other_code(last_code(sms_outbox))})
    assert "That code is not correct." in response.content.decode()
    response = client.post(VERIFY, {"code": last_code(sms_outbox)})
    assert response["Location"] == SMS_SETTINGS
    phone.refresh_from_db()
    assert phone.is_verified
    assert not has_sms_two_factor(user)  # verified is not on
    assert SecurityEvent.objects.filter(user=user, action=SecurityAction.NUMBER_VERIFIED).exists()


def test_saving_the_profile_without_changing_the_number_sends_nothing(
    client_for, sms_user, sms_outbox
):
    user = UserFactory()
    sms_user(user)
    response = client_for(user).post(PROFILE, profile_data(user, "+34612345678"))
    assert response["Location"] == reverse("profile")
    assert sms_outbox == []


def test_sms_2fa_is_turned_on_and_off_after_reauthentication(client_for, sms_user):
    user = UserFactory()
    sms_user(user, two_factor=False)
    stale = client_for(user, stale=True)
    response = stale.post(SMS_SETTINGS, {"enabled": "on"})
    assert "reauthenticate" in response["Location"]
    assert not has_sms_two_factor(user)
    fresh = client_for(user)
    fresh.post(SMS_SETTINGS, {"enabled": "on"})
    assert has_sms_two_factor(user)
    page = fresh.get(reverse("mfa_index")).content.decode()
    assert "Methods that are on: text message." in page
    assert "On: text message to +34612345678." in page
    fresh.post(SMS_SETTINGS, {"enabled": "off"})
    assert not has_sms_two_factor(user)
    actions = list(SecurityEvent.objects.filter(user=user).values_list("action", flat=True))
    assert actions == [SecurityAction.TWO_FACTOR_OFF, SecurityAction.TWO_FACTOR_ON]


def test_sms_2fa_needs_a_verified_number(client_for, sms_user):
    user = UserFactory()
    sms_user(user, verified=False, two_factor=False)
    response = client_for(user).post(SMS_SETTINGS, {"enabled": "on"}, follow=True)
    assert "Verify your mobile number" in response.content.decode()
    assert not has_sms_two_factor(user)


def test_changing_a_number_in_use_asks_for_reauthentication_then_a_new_verification(
    client_for, sms_user, sms_outbox
):
    user = UserFactory()
    sms_user(user)
    stale = client_for(user, stale=True)
    response = stale.post(PROFILE, profile_data(user, "+34 699 999 999"))
    assert "reauthenticate" in response["Location"]
    user.refresh_from_db()
    assert user.mobile == "+34612345678"  # nothing changed yet
    assert sms_outbox == []
    fresh = client_for(user)
    response = fresh.post(PROFILE, profile_data(user, "+34 699 999 999"))
    assert response["Location"] == VERIFY
    phone = PhoneNumber.objects.get(user=user)
    assert phone.number == "+34699999999" and not phone.is_verified
    assert not has_sms_two_factor(user)  # until the new number is verified
    assert sms_outbox[-1].to == "+34699999999"
    fresh.post(VERIFY, {"code": last_code(sms_outbox)})
    assert has_sms_two_factor(user)  # still chosen: on again with the new number


def test_a_number_that_an_account_needs_cannot_be_removed(client_for, sms_user):
    membership = MembershipFactory()
    membership.account.require_2fa = True
    membership.account.save()
    user = membership.user
    sms_user(user)
    response = client_for(user).post(PROFILE, profile_data(user, ""))
    assert response.status_code == 200
    assert "You cannot remove this number" in response.content.decode()
    user.refresh_from_db()
    assert user.mobile == "+34612345678"
    assert has_sms_two_factor(user)


def test_removing_the_number_turns_sms_off(client_for, sms_user):
    user = UserFactory()
    sms_user(user)
    client_for(user).post(PROFILE, profile_data(user, ""))
    user.refresh_from_db()
    assert user.mobile == ""
    assert not PhoneNumber.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(user=user, action=SecurityAction.NUMBER_REMOVED).exists()


def test_a_number_saved_before_verification_existed_can_be_verified(client_for, sms_outbox):
    user = UserFactory(mobile="+34612345678")
    client = client_for(user)
    page = client.get(SMS_SETTINGS).content.decode()
    assert "Send a code to verify +34612345678" in page
    response = client.post(SMS_SETTINGS, {"verify": "1"})
    assert response["Location"] == VERIFY
    client.post(VERIFY, {"code": last_code(sms_outbox)})
    assert PhoneNumber.objects.get(user=user).is_verified


def test_masking():
    assert masked("+34612345678") == "•••• •• 5678"
    assert masked("") == ""


def test_the_sms_pages_need_a_login(client):
    for path in (SMS_SETTINGS, VERIFY, reverse("sms_reauthenticate")):
        assert client.get(path).status_code == 302


def test_the_profile_says_whether_the_number_is_verified(client_for, sms_user):
    user = UserFactory()
    phone = sms_user(user, verified=False, two_factor=False)
    page = client_for(user).get(PROFILE).content.decode()
    assert "is not verified yet" in page
    phone.verified_at, phone.two_factor_since = user.date_joined, user.date_joined
    phone.save()
    page = client_for(user).get(PROFILE).content.decode()
    assert "is verified and receives your sign-in codes" in page


def test_staff_see_the_number_masked_and_cannot_change_it(client_for):
    staff = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(mobile="+34612345678")
    page = client_for(staff).get(f"/django-admin/accounts/user/{person.pk}/change/")
    body = page.content.decode()
    assert "•••• •• 5678" in body
    assert "+34612345678" not in body
    assert 'name="mobile"' not in body


def test_an_account_that_accepts_an_app_or_a_key_only_does_not_hold_sms_on(client_for, sms_user):
    """Text messages do not meet that account's demand, so turning them off or removing the
    number locks the person out of nothing more: both are allowed."""
    membership = MembershipFactory()
    membership.account.require_2fa = True
    membership.account.two_factor_methods = TwoFactorMethods.APP_OR_KEY
    membership.account.save()
    user = membership.user
    sms_user(user)
    client = client_for(user)
    response = client.post(SMS_SETTINGS, {"enabled": "off"}, follow=True)
    assert "Text-message two-factor authentication is off." in response.content.decode()
    assert not has_sms_two_factor(user)
    response = client.post(PROFILE, profile_data(user, ""))
    assert response.status_code == 302
    assert not PhoneNumber.objects.filter(user=user).exists()


def test_the_text_message_page_says_what_recovery_codes_cover(client_for, sms_user):
    user = UserFactory()
    sms_user(user)
    page = client_for(user).get(SMS_SETTINGS).content.decode()
    assert "Recovery codes come with an authenticator app or a security key" in page

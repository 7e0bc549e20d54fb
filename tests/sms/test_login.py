"""SMS as a second factor in allauth's login: after the password a code is sent and asked
for; nobody is logged in before it is right; a person with an app may choose SMS instead;
re-authentication accepts an SMS code."""

import pytest
from django.urls import reverse

from sms.models import Challenge
from tests.factories import TEST_PASSWORD, MembershipFactory
from tests.sms.conftest import last_code, other_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SMS_AUTHENTICATE = "/accounts/2fa/sms/authenticate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture
def member(sms_user):
    membership = MembershipFactory(role="author")
    sms_user(membership.user)
    return membership


def overview(account):
    return reverse("overview", kwargs={"slug": account.slug})


def password_step(client, user, expect=SMS_AUTHENTICATE):
    response = client.post(LOGIN, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == expect
    return response


def signed_in(client, account) -> bool:
    return client.get(overview(account)).status_code == 200


def test_the_password_then_the_code_signs_in(member, sms_outbox, Client):
    client = Client()
    password_step(client, member.user)
    assert not signed_in(client, member.account)  # half logged in reaches nothing
    page = client.get(SMS_AUTHENTICATE)
    assert page.status_code == 200
    assert "•••• •• 5678" in page.content.decode()
    assert "+34612345678" not in page.content.decode()  # masked before the login
    assert len(sms_outbox) == 1
    response = client.post(SMS_AUTHENTICATE, {"code": last_code(sms_outbox)})
    assert response.status_code == 302
    assert signed_in(client, member.account)


def test_a_wrong_code_is_refused_next_to_the_field_and_signs_nobody_in(member, sms_outbox, Client):
    client = Client()
    password_step(client, member.user)
    client.get(SMS_AUTHENTICATE)
    response = client.post(SMS_AUTHENTICATE, {"code": other_code(last_code(sms_outbox))})
    assert response.status_code == 200
    assert "That code is not correct." in response.content.decode()
    assert not signed_in(client, member.account)
    response = client.post(SMS_AUTHENTICATE, {"code": "12ab"})
    assert "Enter the 6-digit code." in response.content.decode()


def test_reloading_the_page_sends_no_second_code(member, sms_outbox, Client):
    client = Client()
    password_step(client, member.user)
    client.get(SMS_AUTHENTICATE)
    client.get(SMS_AUTHENTICATE)
    assert len(sms_outbox) == 1


def test_resend_too_soon_says_when(member, sms_outbox, Client):
    client = Client()
    password_step(client, member.user)
    client.get(SMS_AUTHENTICATE)
    response = client.post(SMS_AUTHENTICATE, {"resend": "1"}, follow=True)
    assert "A new code can be sent in" in response.content.decode()
    assert len(sms_outbox) == 1


def test_a_code_from_another_login_attempt_does_not_work(member, sms_outbox, Client):
    first, second = Client(), Client()
    password_step(first, member.user)
    first.get(SMS_AUTHENTICATE)
    code = last_code(sms_outbox)
    password_step(second, member.user)
    second.get(SMS_AUTHENTICATE)  # limited: no new code for 30 s, but bound to this attempt
    response = second.post(SMS_AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert not signed_in(second, member.account)


def test_a_provider_failure_says_try_again_and_signs_nobody_in(
    member, sms_outbox, Client, settings
):
    settings.SMS_BACKEND = "tests.sms.test_codes.FailingBackend"
    client = Client()
    password_step(client, member.user)
    client.get(SMS_AUTHENTICATE)  # sends (in a test, the task runs after the page is drawn)
    page = client.get(SMS_AUTHENTICATE).content.decode()
    assert "We could not send the code. Try again." in page
    assert not signed_in(client, member.account)
    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    client.post(SMS_AUTHENTICATE, {"resend": "1"})  # a failure does not start the 30 s wait
    client.post(SMS_AUTHENTICATE, {"code": last_code(sms_outbox)})
    assert signed_in(client, member.account)


def test_without_sms_2fa_the_password_is_enough(sms_user, sms_outbox, Client):
    membership = MembershipFactory()
    sms_user(membership.user, two_factor=False)
    client = Client()
    response = client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    assert response["Location"] != SMS_AUTHENTICATE
    assert signed_in(client, membership.account)
    assert sms_outbox == []


def test_an_unverified_number_is_never_used(sms_user, sms_outbox, Client):
    membership = MembershipFactory()
    sms_user(membership.user, verified=False)
    client = Client()
    client.post(LOGIN, {"login": membership.user.email, "password": TEST_PASSWORD})
    assert sms_outbox == []


def test_the_sms_page_is_closed_without_a_login_in_progress(member, Client):
    assert Client().get(SMS_AUTHENTICATE)["Location"] == reverse("account_login")


def test_with_an_app_too_the_app_is_asked_first_and_sms_is_offered(
    member, Client, enable_totp, sms_outbox
):
    totp = enable_totp(member.user)
    client = Client()
    password_step(client, member.user, expect=MFA_AUTHENTICATE)
    page = client.get(MFA_AUTHENTICATE).content.decode()
    assert "Text me a code instead" in page
    assert sms_outbox == []
    client.post(MFA_AUTHENTICATE, {"code": totp.now()})
    assert signed_in(client, member.account)  # the app alone: no text message
    assert sms_outbox == []


def test_with_an_app_too_the_person_may_choose_sms(member, Client, enable_totp, sms_outbox):
    enable_totp(member.user)
    client = Client()
    password_step(client, member.user, expect=MFA_AUTHENTICATE)
    response = client.post(reverse("sms_use_text_message"))
    assert response["Location"] == SMS_AUTHENTICATE
    assert not signed_in(client, member.account)  # choosing SMS skips nothing
    client.get(SMS_AUTHENTICATE)
    client.post(SMS_AUTHENTICATE, {"code": last_code(sms_outbox)})
    assert signed_in(client, member.account)


def test_the_sms_choice_needs_a_login_at_the_mfa_step(member, Client):
    response = Client().post(reverse("sms_use_text_message"))
    assert response["Location"] == reverse("account_login")


def test_reauthentication_accepts_an_sms_code(member, client_for, sms_outbox):
    client = client_for(member.user, stale=True)
    url = reverse("sms_reauthenticate")
    page = client.get(url)
    assert page.status_code == 200
    assert sms_outbox == []  # a GET (a link preview, a prefetch) sends nothing
    assert "Text me a code" in page.content.decode()
    client.post(url, {"resend": "1"})
    code = last_code(sms_outbox)
    assert Challenge.objects.filter(user=member.user, purpose="reauth").count() == 1
    response = client.post(url, {"code": other_code(code)})
    assert "That code is not correct." in response.content.decode()
    response = client.post(url, {"code": code})
    assert response.status_code == 302
    # allauth's own re-authentication check now passes: its 2FA pages open without asking
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_the_reauthentication_page_lists_sms(member, client_for):
    client = client_for(member.user, stale=True)
    page = client.get(reverse("account_reauthenticate")).content.decode()
    assert reverse("sms_reauthenticate") in page


def test_the_validity_shown_and_texted_comes_from_the_setting(member, sms_outbox, Client, settings):
    settings.SMS_CODE_TTL = 600
    client = Client()
    password_step(client, member.user)
    client.get(SMS_AUTHENTICATE)
    page = client.get(SMS_AUTHENTICATE).content.decode()
    assert "It is valid for 10 minutes." in page
    assert "5 minutes" not in page
    assert "It expires in 10 minutes." in sms_outbox[-1].body


def test_the_code_field_takes_full_width_digits_and_refuses_other_scripts():
    from sms.forms import CodeForm

    full_width = "".join(chr(0xFF10 + int(d)) for d in "123456")
    form = CodeForm({"code": f"{full_width[:3]} {full_width[3:]}"})
    assert form.is_valid() and form.cleaned_data["code"] == "123456"
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "123456")
    assert not CodeForm({"code": arabic_indic}).is_valid()

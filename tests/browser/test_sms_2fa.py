"""Whole journey of SMS two-factor authentication (issue 18): a member sets a mobile number,
verifies it with the code the test backend captured, turns on SMS 2FA, signs out, signs in
with password + SMS code (a wrong code first is refused); then the Owner requires "an
authenticator app or a security key only" and the member's next click sends them to set up
an app, confirming it is them with a text message. axe on every page."""

import re

import pyotp
import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from playwright.sync_api import expect

from sms.backends import locmem
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
SIGN_IN = re.compile(r"^sign in$", re.I)


def last_code() -> str:
    assert locmem.outbox, "no text message was sent"
    return re.search(r"\b(\d{6})\b", locmem.outbox[-1].body).group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def password_step(page, email):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name=SIGN_IN).click()


def test_sms_two_factor_journey(new_page, settings):
    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    settings.SMS_SEND_INTERVAL = 0  # the journey asks for three codes within a minute
    locmem.outbox.clear()
    account = AccountFactory(name="Acme", slug="acme")
    owner = MembershipFactory(account=account, role="owner").user
    secret = pyotp.random_base32()
    TOTP.activate(owner, secret)
    RecoveryCodes.activate(owner)
    member = MembershipFactory(account=account, role="author").user

    # --- The member saves a mobile number and verifies it ------------------------------------
    page = new_page()
    password_step(page, member.email)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    page.goto("/settings/profile/")
    assert_accessible(page)
    page.get_by_label("Mobile number").fill("+34 612 345 678")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Verify your mobile number")).to_be_visible()
    assert_accessible(page)
    assert locmem.outbox[-1].to == "+34612345678"
    page.get_by_label("Code").fill(last_code())
    page.get_by_role("button", name="Verify").click()

    # --- ... and turns on SMS 2FA ------------------------------------------------------------
    expect(
        page.get_by_role("heading", name="Two-factor authentication by text message")
    ).to_be_visible()
    expect(page.get_by_text("Your mobile number is verified.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Turn on text message to +34612345678").click()
    expect(page.get_by_test_id("sms-status")).to_contain_text("On: codes go to +34612345678")
    assert_accessible(page)
    page.goto("/accounts/2fa/")
    expect(page.get_by_text("Methods that are on: text message.")).to_be_visible()
    assert_accessible(page)

    # --- Signs out, signs in with password + code; a wrong code is refused first -------------
    page.goto("/accounts/logout/")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile(r"^sign out$", re.I)).click()
    sent_before = len(locmem.outbox)
    password_step(page, member.email)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    expect(page.get_by_test_id("sms-sent")).to_contain_text("•••• •• 5678")
    assert_accessible(page)
    assert len(locmem.outbox) == sent_before + 1
    code = last_code()
    page.get_by_label("Code").fill(wrong(code))
    page.get_by_role("button", name=SIGN_IN).click()
    expect(page.get_by_text("That code is not correct.").first).to_be_visible()
    assert_accessible(page)
    page.goto("/a/acme/")  # not signed in: back to the code step
    expect(page).to_have_url(re.compile(r"/accounts/2fa/sms/authenticate/$"))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=SIGN_IN).click()
    expect(page).to_have_url(re.compile(r"/a/acme/$"))

    # --- The Owner accepts an authenticator app or a security key only ------------------------
    owner_page = new_page()
    password_step(owner_page, owner.email)
    owner_page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    owner_page.get_by_role("button", name=SIGN_IN).click()
    expect(owner_page).to_have_url(re.compile(r"/a/acme/$"))
    owner_page.goto("/a/acme/settings/two-factor/")
    assert_accessible(owner_page)
    expect(owner_page.get_by_test_id("members-without-2fa")).not_to_contain_text(member.email)
    owner_page.get_by_label("Authenticator app or security key only").check()
    owner_page.get_by_role("button", name="Show who this affects").click()
    expect(owner_page.get_by_test_id("members-without-2fa")).to_contain_text(member.email)
    assert_accessible(owner_page)
    owner_page.get_by_role("button", name="Require two-factor authentication").click()
    expect(owner_page.get_by_text("Two-factor authentication is now required")).to_be_visible()
    assert_accessible(owner_page)

    # --- The member's next click sends them to set up an app ---------------------------------
    page.goto("/a/acme/")
    expect(page).to_have_url(re.compile(r"/a/acme/two-factor-required/$"))
    assert_accessible(page)
    page.get_by_role("link", name="Set up an authenticator app").click()
    # allauth's set-up asks to confirm it is them; a text message is one of the ways.
    page.get_by_role("link", name="Use a code sent by text message").click()
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Text me a code").click()  # sent on a click, not on a GET
    expect(page.get_by_test_id("sms-sent")).to_contain_text("•••• •• 5678")
    page.get_by_label("Code").fill(last_code())
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert_accessible(page)

"""Whole journeys: an Owner creates, uses and regenerates an API key; sets up TOTP with the
secret read off the page; requires 2FA; a member without it is sent to set-up at their next
click and is released once they set it up."""

import re

import pyotp
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def confirm_access(page):
    """allauth's own 2FA pages ask for the password again (there only an explicit
    re-authentication within 5 minutes counts, not the sign-in itself)."""
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()


def set_up_totp(page):
    """On the activate page: read the secret, compute the current code, submit it."""
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activate").click()


def call_api(live_server, key):
    return requests.get(
        f"{live_server.url}/api/v1/members",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def test_api_key_totp_and_required_2fa_journey(new_page, live_server):
    account = AccountFactory(name="Acme", slug="acme")
    owner = MembershipFactory(account=account, role="owner").user
    author = MembershipFactory(account=account, role="author").user

    # --- The Owner creates an API key, uses it, regenerates it -------------------------------
    page = new_page()
    sign_in(page, owner.email)
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    page.get_by_role("link", name=re.compile("API keys")).click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Create API key").click()
    assert_accessible(page)
    # Signed in a moment ago: Roster asks for the password only once the sign-in is 5 minutes old.
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    assert_accessible(page)
    first_key = page.get_by_label("API key “CRM sync”").input_value()
    assert call_api(live_server, first_key).status_code == 200

    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="CRM sync")).to_be_visible()
    page.get_by_role("link", name="Regenerate CRM sync").click()
    assert_accessible(page)
    page.get_by_role("button", name="Regenerate key").click()
    expect(page.get_by_role("heading", name="API key regenerated")).to_be_visible()
    second_key = page.get_by_label("API key “CRM sync”").input_value()
    assert second_key != first_key
    old = call_api(live_server, first_key)
    assert old.status_code == 401
    assert old.json()["code"] == "invalid_key"
    assert call_api(live_server, second_key).status_code == 200

    # --- The author is signed in and working, without 2FA -----------------------------------
    author_page = new_page()
    sign_in(author_page, author.email)
    expect(author_page).to_have_url(re.compile(r"/a/acme/$"))

    # --- The Owner sets up TOTP, then requires 2FA for everyone ------------------------------
    page.get_by_role("button", name=re.compile("User menu")).click()
    page.get_by_role("link", name="Two-factor authentication").click()
    assert_accessible(page)
    page.goto("/accounts/2fa/totp/activate/")
    confirm_access(page)
    set_up_totp(page)
    expect(page.get_by_text(re.compile("Authenticator app activated", re.I))).to_be_visible()
    assert_accessible(page)

    page.goto("/a/acme/settings/two-factor/")
    expect(page.get_by_role("heading", name="Require two-factor authentication")).to_be_visible()
    expect(page.get_by_test_id("members-without-2fa")).to_contain_text(author.email)
    assert_accessible(page)
    page.get_by_role("button", name="Require two-factor authentication").click()
    expect(
        page.get_by_text(
            "Two-factor authentication is now required (any method, text message included)."
        )
    ).to_be_visible()

    # --- The author's next click lands on 2FA set-up; setting it up releases them -----------
    author_page.get_by_role("link", name="Roles & permissions").click()
    expect(
        author_page.get_by_role("heading", name="Set up two-factor authentication")
    ).to_be_visible()
    assert_accessible(author_page)
    author_page.get_by_role("link", name="Set up an authenticator app").click()
    confirm_access(author_page)
    set_up_totp(author_page)
    author_page.goto("/a/acme/roles/")
    expect(author_page.get_by_role("heading", name="Roles & permissions")).to_be_visible()
    assert_accessible(author_page)

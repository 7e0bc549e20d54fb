"""allauth's pages as a person meets them (issue 17, item 6): inside Roster's shell, sentence
case, "Forgot your password?" once, a way back from each, readable sessions in their zone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
TITLE_CASE = ["Sign In", "Sign Up", "Sign Out", "Change Password", "Two-Factor Authentication",
              "Email Addresses", "Password Reset", "Remember Me", "Started At"]  # fmt: skip


@pytest.fixture
def chrome_page(browser, live_server):
    """A browser that says it is Chrome on Linux (headless Chromium names itself otherwise)."""
    context = browser.new_context(base_url=live_server.url, user_agent=CHROME_LINUX)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def assert_roster_page(page, heading, *, signed_in):
    """The shell (brand, header nav), the heading in sentence case, no title case left, axe."""
    expect(page.locator("header").get_by_role("link", name="Roster", exact=True)).to_be_visible()
    if signed_in:
        expect(page.get_by_role("button", name=re.compile("User menu"))).to_be_visible()
    else:
        expect(page.locator("header").get_by_role("link", name="Sign up")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    text = page.locator("main").inner_text() + page.title()
    assert not [words for words in TITLE_CASE if words in text], text
    assert_accessible(page)


def test_signed_out_pages_and_their_ways_back(page):
    page.goto("/accounts/login/")
    assert_roster_page(page, "Sign in", signed_in=False)
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_text("Forgot your password?")).to_have_count(1)

    page.get_by_role("link", name="Forgot your password?").click()
    assert_roster_page(page, "Password reset", signed_in=False)
    expect(page.get_by_role("button", name="Reset my password", exact=True)).to_be_visible()
    page.get_by_role("link", name="Back to sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))

    page.get_by_role("main").get_by_role("link", name="sign up").click()
    assert_roster_page(page, "Sign up", signed_in=False)
    expect(page.get_by_role("button", name="Sign up", exact=True)).to_be_visible()


def test_signed_in_pages_sessions_and_ways_back(chrome_page):
    page = chrome_page
    account = AccountFactory(name="Acme", slug="acme")
    user = MembershipFactory(account=account, role="owner", user__time_zone="Asia/Tokyo").user

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/a/acme/$"))

    for path, heading in [
        ("/accounts/email/", "Email addresses"),
        ("/accounts/password/change/", "Change password"),
        ("/accounts/2fa/", "Two-factor authentication"),
    ]:
        page.goto(path)
        assert_roster_page(page, heading, signed_in=True)
        back = page.get_by_test_id("way-back")
        expect(back).to_have_text("← Back to personal settings")
        back.click()
        expect(page).to_have_url(re.compile(r"/settings/profile/$"))
    page.goto("/accounts/password/change/")
    expect(page.get_by_role("button", name="Change password", exact=True)).to_be_visible()

    # The sessions page: the device by name, this session marked, times in Tokyo's zone.
    page.goto("/accounts/sessions/")
    assert_roster_page(page, "Sessions", signed_in=True)
    current = page.locator('tr[data-current="true"]')
    expect(current).to_contain_text("Chrome on Linux")
    expect(current).to_contain_text("Current session")
    expect(current.locator("time").first).to_contain_text("JST")
    expect(page.get_by_role("table")).not_to_contain_text("Mozilla/5.0")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()

    # Sent from an account page with ?next=, the way back returns there.
    page.goto("/accounts/password/change/?next=/a/acme/")
    page.get_by_role("link", name="Back to the previous page", exact=True).click()
    expect(page).to_have_url(re.compile(r"/a/acme/$"))
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    assert_accessible(page)

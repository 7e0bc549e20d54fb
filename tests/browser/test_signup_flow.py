import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.email_links import verification_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_lands_on_overview_and_time_zone_changes_dates(page, mailoutbox):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert_accessible(page)

    page.get_by_role("link", name="Sign up").first.click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("First name").fill("Ana")
    page.get_by_label("Last name").fill("Lopez")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Company or organization name").fill("Lopez Bakery")
    page.locator("#id_password1").fill("Blue-Harbour-77!")
    page.locator("#id_password2").fill("Blue-Harbour-77!")
    page.get_by_role("button", name="Sign Up").click()

    # Nobody gets in before following the link sent to the email.
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    assert_accessible(page)
    page.goto(verification_link(mailoutbox, "ana@example.com"))
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Lopez Bakery")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/a/lopez-bakery/$"))
    assert_accessible(page)
    created = page.get_by_test_id("account-created")
    expect(created).to_contain_text("UTC")
    utc_text = created.inner_text()

    page.get_by_role("button", name=re.compile("User menu")).click()
    page.get_by_role("link", name="Personal settings").click()
    assert_accessible(page)
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Your personal settings are saved.")).to_be_visible()

    page.get_by_role("link", name="Lopez Bakery").first.click()
    expect(created).to_contain_text("JST")
    assert created.inner_text() != utc_text
    assert_accessible(page)

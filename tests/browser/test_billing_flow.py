"""Whole journey: the Owner changes the plan, sees the invoice and downloads its PDF; an
Admin cannot open Billing until the Owner allows it in Settings."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_owner_changes_plan_downloads_invoice_and_lets_admins_into_billing(new_page, tmp_path):
    account = AccountFactory(name="Lopez Bakery", slug="lopez-bakery", plan="free")
    owner = MembershipFactory(account=account, role="owner").user
    admin_membership = MembershipFactory(account=account, role="admin")
    # Free has one seat and no Admin level; the admin above is why an upgrade comes first.
    owner_page, admin_page = new_page(), new_page()

    # --- The Owner opens Billing from the sidebar and moves to Standard ---------------------
    sign_in(owner_page, owner.email)
    expect(owner_page.get_by_role("heading", name="Lopez Bakery")).to_be_visible()
    owner_page.get_by_role("link", name="Billing").click()
    expect(owner_page.get_by_role("heading", name="Current plan: Free")).to_be_visible()
    expect(owner_page.get_by_test_id("seats-used")).to_have_text("2 of 1")
    assert_accessible(owner_page)
    owner_page.get_by_label("Standard").check()
    owner_page.get_by_role("button", name="Change plan").click()
    expect(owner_page.get_by_role("heading", name="Move Lopez Bakery to Standard?")).to_be_visible()
    expect(owner_page.get_by_test_id("amount-charged")).to_contain_text("20.00 USD")
    assert_accessible(owner_page)
    owner_page.get_by_role("button", name="Confirm and pay 20.00 USD").click()
    expect(
        owner_page.get_by_text(re.compile(r"is now on Standard\. Invoice R\d+-0001"))
    ).to_be_visible()
    expect(owner_page.get_by_role("heading", name="Current plan: Standard")).to_be_visible()
    assert_accessible(owner_page)

    # --- The invoice is listed, opens as a page, and its PDF downloads ----------------------
    owner_page.get_by_role("link", name="Invoices").click()
    row = owner_page.locator("tr[data-invoice]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Standard")
    expect(row).to_contain_text("20.00 USD")
    assert_accessible(owner_page)
    number = row.get_attribute("data-invoice")
    owner_page.get_by_role("link", name=number, exact=True).click()
    expect(owner_page.get_by_role("heading", name=f"Invoice {number}")).to_be_visible()
    expect(owner_page.get_by_test_id("invoice-total")).to_have_text("20.00 USD")
    assert_accessible(owner_page)
    with owner_page.expect_download() as download_info:
        owner_page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{number}.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")

    # --- The Admin cannot open Billing, and has no link to it -------------------------------
    sign_in(admin_page, admin_membership.user.email)
    expect(admin_page.get_by_role("heading", name="Lopez Bakery")).to_be_visible()
    expect(admin_page.get_by_role("link", name="Billing")).to_have_count(0)
    response = admin_page.goto("/a/lopez-bakery/billing/")
    assert response.status == 403
    expect(
        admin_page.get_by_role("heading", name="You do not have access to this page")
    ).to_be_visible()
    assert_accessible(admin_page)

    # --- The Owner allows it in Settings; now the Admin gets in -----------------------------
    owner_page.get_by_role("link", name="Settings").click()
    expect(owner_page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    assert_accessible(owner_page)
    owner_page.get_by_role("button", name="Let Admins manage billing").click()
    expect(owner_page.get_by_text("Admins can manage billing.")).to_be_visible()
    expect(owner_page.get_by_test_id("admins-billing-state")).to_contain_text("can open Billing")

    response = admin_page.goto("/a/lopez-bakery/billing/")
    assert response.status == 200
    expect(admin_page.get_by_role("heading", name="Current plan: Standard")).to_be_visible()
    expect(admin_page.get_by_role("link", name="Billing")).to_be_visible()
    assert_accessible(admin_page)

    # --- The other Billing and Settings pages pass the accessibility scan too ---------------
    owner_page.goto("/a/lopez-bakery/billing/address/")
    owner_page.get_by_label("Billing contact name").fill("Ana Lopez")
    owner_page.get_by_label("Address line 1").fill("Calle Mayor 1")
    owner_page.get_by_label("City").fill("Madrid")
    owner_page.get_by_label("Country").select_option("ES")
    owner_page.get_by_role("button", name="Save address").click()
    expect(owner_page.get_by_text("The billing address is saved.")).to_be_visible()
    assert_accessible(owner_page)
    for path in [
        "/a/lopez-bakery/settings/export/",
        "/a/lopez-bakery/settings/close/",
        "/settings/notifications/",
    ]:
        owner_page.goto(path)
        assert_accessible(owner_page)

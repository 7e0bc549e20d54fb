"""An Admin invites two people to two accounts; they accept from real emails (SMTP)."""

import re

import pytest
from playwright.sync_api import expect

from memberships.models import Membership
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "Blue-Harbour-77!"


def sign_in(page, email, password=TEST_PASSWORD):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_invites_two_people_to_two_accounts_and_they_join(new_page, smtp_inbox):
    north = AccountFactory(name="North Bakery", slug="north", plan="premium")
    south = AccountFactory(name="South Bakery", slug="south", plan="standard")
    admin = MembershipFactory(account=north, role="admin").user
    MembershipFactory(account=south, user=admin, role="admin")

    page = new_page()
    page.goto("/a/north/users/")
    sign_in(page, admin.email)
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Invite users").click()
    expect(page.get_by_role("heading", name="Invite users")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email addresses").fill("ana@example.com\nbo@example.com")
    expect(page.get_by_role("checkbox", name="North Bakery")).to_be_checked()
    page.get_by_role("checkbox", name="South Bakery").check()
    page.get_by_label("Level").select_option(label="Author")
    page.get_by_label("Personal message (optional)").fill("Welcome <b>both</b> of you!")
    page.get_by_role("button", name="Send invitations").click()

    expect(page.get_by_text("4 invitations queued")).to_be_visible()
    table = page.get_by_test_id("invitations-table")
    expect(table.locator("tr[data-invitation]")).to_have_count(2)
    expect(table).to_contain_text("Pending")
    assert_accessible(page)

    for person in ["ana@example.com", "bo@example.com"]:
        links = smtp_inbox.links_for(person)
        assert len(links) == 2, links
        first, second = (
            next(link for subject, link in links.items() if name in subject)
            for name in ("North Bakery", "South Bakery")
        )
        # First link: a fresh browser, no login yet -> create one there.
        visitor = new_page()
        visitor.goto(first)
        expect(visitor).to_have_url(re.compile(r"/invitations/accept/$"))
        expect(visitor.get_by_role("heading", name="Join North Bakery")).to_be_visible()
        expect(visitor.get_by_text("Welcome <b>both</b> of you!")).to_be_visible()
        assert_accessible(visitor)
        expect(visitor.get_by_label("Email")).to_have_value(person)
        visitor.get_by_label("First name").fill(person.split("@")[0].title())
        visitor.get_by_label("Last name").fill("Baker")
        visitor.locator("#id_password1").fill(STRONG)
        visitor.locator("#id_password2").fill(STRONG)
        visitor.get_by_role("button", name="Create login and accept").click()
        expect(visitor).to_have_url(re.compile(r"/a/north/$"))
        expect(visitor.get_by_role("heading", name="North Bakery")).to_be_visible()
        expect(visitor.locator("dl")).to_contain_text("Author")
        assert_accessible(visitor)

        # Second link: another fresh browser; the login exists now -> sign in and accept.
        visitor = new_page()
        visitor.goto(second)
        expect(visitor.get_by_role("heading", name="Join South Bakery")).to_be_visible()
        assert_accessible(visitor)
        visitor.get_by_role("link", name="Sign in to accept").click()
        assert_accessible(visitor)
        sign_in(visitor, person, STRONG)
        expect(visitor).to_have_url(re.compile(r"/invitations/accept/$"))
        visitor.get_by_role("button", name="Accept invitation").click()
        expect(visitor).to_have_url(re.compile(r"/a/south/$"))
        expect(visitor.locator("dl")).to_contain_text("Author")
        assert_accessible(visitor)

    for slug in ["north", "south"]:
        page.goto(f"/a/{slug}/users/")
        for person in ["ana@example.com", "bo@example.com"]:
            row = page.locator(f'tr[data-member="{person}"]')
            expect(row.get_by_test_id("level")).to_have_text("Author")
        expect(
            page.get_by_test_id("invitations-table").locator("tr[data-invitation]")
        ).to_have_count(0)
        assert_accessible(page)
    assert Membership.objects.filter(role="author").count() == 4

"""Issue 20 journeys: a person asks to join through the join link and an Admin approves them
at Author; an Owner transfers ownership and the Admin accepts with their password. Emails
arrive over real SMTP (aiosmtpd on 127.0.0.1); axe scans every page visited."""

import re

import pytest
from playwright.sync_api import expect

from memberships.models import Membership
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_person_asks_to_join_and_an_admin_approves_them_at_author(new_page, smtp_inbox):
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    owner = MembershipFactory(account=account, role="owner", user=UserFactory(email="o@acme.test"))
    admin = MembershipFactory(account=account, role="admin", user=UserFactory(email="a@acme.test"))
    person = UserFactory(email="ada@example.test", first_name="Ada", last_name="Lovelace")

    # The Admin turns requests on and copies the join link.
    page = new_page()
    page.goto("/a/acme/settings/")
    sign_in(page, admin.user.email)
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Requests to join settings").click()
    expect(page.get_by_role("heading", name="Requests to join")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Let people ask to join").click()
    expect(page.get_by_test_id("join-requests-state")).to_contain_text("can ask")
    assert_accessible(page)
    join_link = page.get_by_label("Join link of Acme").input_value()
    assert re.search(r"/join/[A-Za-z0-9_\-]{40,}/$", join_link), join_link

    # The person opens it before signing in: only the sign-in page, nothing about Acme.
    visitor = new_page()
    visitor.goto(join_link)
    expect(visitor).to_have_url(re.compile(r"/accounts/login/\?next=/join/$"))
    expect(visitor.locator("body")).not_to_contain_text("Acme")
    assert_accessible(visitor)
    sign_in(visitor, person.email)
    expect(visitor).to_have_url(re.compile(r"/join/$"))
    expect(visitor.get_by_role("heading", name="Ask to join Acme")).to_be_visible()
    assert_accessible(visitor)
    visitor.get_by_label("Note to the account's Owners and Admins (optional)").fill(
        "I write the newsletter."
    )
    visitor.get_by_role("button", name="Send request").click()
    expect(visitor.get_by_text("Your request to join Acme is sent")).to_be_visible()
    expect(visitor.get_by_test_id("join-request-pending")).to_be_visible()
    assert_accessible(visitor)

    # The Owner and the Admin are emailed; the Admin answers on the Users page.
    for member in (owner, admin):
        assert "Ada Lovelace asks to join Acme" in smtp_inbox.subjects_for(member.user.email)
    assert "I write the newsletter." in smtp_inbox.text_of(admin.user.email, "asks to join")
    page.get_by_role("link", name="Users").click()
    row = page.locator('tr[data-join-request="ada@example.test"]')
    expect(row).to_contain_text("I write the newsletter.")
    assert_accessible(page)
    row.get_by_role("link", name=re.compile("^Approve")).click()
    expect(page.get_by_role("heading", name="Let Ada Lovelace join Acme?")).to_be_visible()
    assert_accessible(page)
    expect(page.get_by_label("Owner")).to_have_count(0)
    page.get_by_label("Author").check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Ada Lovelace joined Acme as Author.")).to_be_visible()
    expect(page.locator('tr[data-member="ada@example.test"]').get_by_test_id("level")).to_have_text(
        "Author"
    )
    expect(page.locator("tr[data-join-request]")).to_have_count(0)
    assert_accessible(page)

    # The person is emailed and reaches the account.
    text = smtp_inbox.text_of(person.email, "Welcome to Acme")
    assert "Author" in text
    visitor.goto(re.search(r"https?://\S+/a/acme/", text).group(0))
    expect(visitor.get_by_role("heading", name="Acme")).to_be_visible()
    expect(visitor.locator("dl")).to_contain_text("Author")
    assert_accessible(visitor)
    assert Membership.objects.get(account=account, user=person).role == "author"


def test_an_owner_transfers_ownership_and_the_admin_accepts_it(new_page, smtp_inbox):
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    owner = MembershipFactory(account=account, role="owner", user=UserFactory(email="o@acme.test"))
    admin = MembershipFactory(
        account=account, role="admin", user=UserFactory(email="a@acme.test", first_name="Bea")
    )

    # The Owner offers ownership: nothing changes yet.
    page = new_page()
    page.goto("/a/acme/settings/")
    sign_in(page, owner.user.email)
    page.get_by_role("link", name="Transfer ownership").click()
    expect(page.get_by_role("heading", name="Transfer ownership of Acme")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile("a@acme.test")).check()
    page.get_by_label("Your current password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Transfer ownership").click()
    expect(page.get_by_text("is asked to accept ownership")).to_be_visible()
    expect(page.get_by_test_id("pending-transfer")).to_be_visible()
    assert_accessible(page)
    assert Membership.objects.get(pk=owner.pk).role == "owner"
    assert any("offers you ownership" in s for s in smtp_inbox.subjects_for(admin.user.email))
    assert any("You offered ownership" in s for s in smtp_inbox.subjects_for(owner.user.email))

    # The Admin sees the banner, reviews the offer and accepts with their password.
    other = new_page()
    other.goto("/a/acme/")
    sign_in(other, admin.user.email)
    banner = other.get_by_test_id("ownership-transfer-banner")
    expect(banner).to_contain_text("offers you ownership of Acme")
    assert_accessible(other)
    banner.get_by_role("link", name="Review the offer").click()
    expect(other.get_by_role("heading", name="Become the Owner of Acme?")).to_be_visible()
    assert_accessible(other)
    other.get_by_label("Your current password").fill("not-my-password")
    other.get_by_role("button", name="Accept ownership").click()
    expect(other.get_by_text("That is not your current password.").first).to_be_visible()
    assert_accessible(other)
    assert Membership.objects.get(pk=owner.pk).role == "owner"
    other.get_by_label("Your current password").fill(TEST_PASSWORD)
    other.get_by_role("button", name="Accept ownership").click()
    expect(other.get_by_text("You are now the Owner of Acme.")).to_be_visible()
    expect(other.locator("dl")).to_contain_text("Owner")
    expect(other.get_by_test_id("ownership-transfer-banner")).to_have_count(0)
    assert_accessible(other)

    # Both are emailed; the former Owner is now an Admin.
    assert any("You are now the Owner" in s for s in smtp_inbox.subjects_for(admin.user.email))
    assert any("is now the Owner" in s for s in smtp_inbox.subjects_for(owner.user.email))
    page.goto("/a/acme/users/")
    expect(page.locator('tr[data-member="o@acme.test"]').get_by_test_id("level")).to_have_text(
        "Admin"
    )
    expect(page.locator('tr[data-member="a@acme.test"]').get_by_test_id("level")).to_have_text(
        "Owner"
    )
    assert_accessible(page)

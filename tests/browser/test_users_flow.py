import re

import pytest
from playwright.sync_api import expect

from memberships.models import Membership
from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def row(page, email):
    return page.locator(f'tr[data-member="{email}"]')


def test_owner_manages_people_and_transfers_ownership(new_page):
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    owner = MembershipFactory(
        account=account, role="owner", user=UserFactory(email="owner@acme.test")
    )
    MembershipFactory(account=account, role="admin", user=UserFactory(email="admin@acme.test"))
    target = MembershipFactory(
        account=account, role="viewer", user=UserFactory(email="target@acme.test")
    )
    bulk = [
        MembershipFactory(
            account=account, role="author", user=UserFactory(email=f"bulk{i}@acme.test")
        )
        for i in range(2)
    ]

    page = new_page()
    sign_in(page, owner.user.email)
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    page.get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert_accessible(page)

    # change level
    row(page, "target@acme.test").get_by_role("link", name=re.compile("^Edit level")).click()
    assert_accessible(page)
    page.get_by_label("Manager").check()
    page.get_by_role("button", name="Save level").click()
    expect(page.get_by_text("is now Manager")).to_be_visible()
    expect(row(page, "target@acme.test").get_by_test_id("level")).to_have_text("Manager")

    # suspend, then reactivate
    row(page, "target@acme.test").get_by_role("link", name=re.compile("^Suspend")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Suspend").click()
    expect(row(page, "target@acme.test").get_by_test_id("status")).to_have_text("Suspended")
    row(page, "target@acme.test").get_by_role("link", name=re.compile("^Reactivate")).click()
    page.get_by_role("button", name="Reactivate").click()
    expect(row(page, "target@acme.test").get_by_test_id("status")).to_have_text("Active")

    # the target has the account open in their own browser
    target_page = new_page()
    sign_in(target_page, target.user.email)
    expect(target_page.get_by_role("heading", name="Acme")).to_be_visible()

    # revoke, with a confirmation naming the person
    row(page, "target@acme.test").get_by_role("link", name=re.compile("^Revoke")).click()
    expect(page.get_by_role("heading", name=re.compile("Revoke access for"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke access").click()
    expect(page.get_by_text("no longer has access")).to_be_visible()
    expect(row(page, "target@acme.test")).to_have_count(0)

    # the revoked person's next click is refused
    target_page.get_by_role("link", name="Roles & permissions").click()
    expect(target_page.get_by_role("heading", name="Page not found")).to_be_visible()

    # bulk revoke two members
    for m in bulk:
        row(page, m.user.email).get_by_role("checkbox").check()
    page.get_by_role("button", name="Revoke selected").click()
    expect(page.get_by_role("heading", name="Revoke access for 2 people?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke access for all").click()
    expect(page.get_by_text("2 people no longer have access")).to_be_visible()
    assert not Membership.objects.filter(pk__in=[m.pk for m in bulk]).exists()

    # transfer ownership to the Admin
    page.goto(f"/a/{account.slug}/settings/transfer/")
    assert_accessible(page)
    page.get_by_label(re.compile("admin@acme.test")).check()
    page.get_by_label("Your current password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Transfer ownership").click()
    expect(page.get_by_text("is asked to accept ownership")).to_be_visible()
    # Issue 20: nothing changes until the Admin accepts, with their password.
    admin_page = new_page()
    sign_in(admin_page, "admin@acme.test")
    admin_page.get_by_role("link", name="Review the offer").click()
    admin_page.get_by_label("Your current password").fill(TEST_PASSWORD)
    admin_page.get_by_role("button", name="Accept ownership").click()
    expect(admin_page.get_by_text("You are now the Owner of Acme.")).to_be_visible()

    # the old Owner now sees the Users page as an Admin
    page.get_by_role("link", name="Users").click()
    expect(row(page, "owner@acme.test").get_by_test_id("level")).to_have_text("Admin")
    expect(row(page, "admin@acme.test").get_by_test_id("level")).to_have_text("Owner")
    expect(row(page, "admin@acme.test").get_by_role("link")).to_have_count(0)
    assert_accessible(page)


def test_viewer_leaves_an_account(page):
    viewer = MembershipFactory(role="viewer", user=UserFactory(email="viewer@acme.test"))
    MembershipFactory(account=viewer.account, role="owner")
    MembershipFactory(user=viewer.user, role="viewer", account=AccountFactory(name="Other Co"))
    sign_in(page, viewer.user.email)
    page.get_by_role("link", name=viewer.account.name).click()
    page.get_by_role("button", name=re.compile("User menu")).click()
    page.get_by_role("link", name=f"Leave {viewer.account.name}").click()
    expect(page.get_by_role("heading", name=f"Leave {viewer.account.name}?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Leave account").click()
    expect(page.get_by_text(f"You left {viewer.account.name}.")).to_be_visible()
    assert_accessible(page)
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert viewer.user.memberships.count() == 1

"""An Admin invites from a CSV file with good and bad rows: reviews the table, confirms, and
only the good rows' invitations arrive (real SMTP); then gives a member an end date."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from invitations.models import Invitation
from memberships.models import Membership
from tests.browser.conftest import assert_accessible
from tests.browser.test_invite_flow import sign_in
from tests.factories import AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_uploads_a_csv_reviews_it_and_only_good_rows_are_invited(page, smtp_inbox):
    account = AccountFactory(name="East Bakery", slug="east", plan="premium")
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin").user
    member = MembershipFactory(account=account, role="viewer").user
    until = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    content = (
        "\ufeffEmail;First name;Last name;Level;Access until\r\n"
        f"ana@example.com;Ana;Ruiz;Author;{until}\r\n"
        "not-an-address;Bo;Lee;Viewer;\r\n"
        f"{member.email};;;Viewer;\r\n"
        "cy@example.com;Cy;Doe;Owner;\r\n"
        "dee@example.com;Dee;Kay;viewer;\r\n"
        "ANA@example.com;;;Viewer;\r\n"
    )

    page.goto("/a/east/users/invite/")
    sign_in(page, admin.email)
    expect(page.get_by_role("heading", name="Invite users", exact=True)).to_be_visible()
    assert_accessible(page)

    # A file that is not CSV: a message next to the field, nothing sent.
    page.get_by_label("CSV file").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00"}
    )
    page.get_by_role("button", name="Review the file").click()
    expect(page.locator(".invalid-feedback", has_text="This is not a CSV file")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("CSV file").set_input_files(
        {"name": "team.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Review the file").click()
    expect(page.get_by_role("heading", name="Review the CSV file")).to_be_visible()
    assert_accessible(page)
    table = page.get_by_test_id("csv-rows")
    results = [
        table.locator(f'tr[data-row="{line}"]').get_by_test_id("csv-result") for line in range(2, 8)
    ]
    expect(results[0]).to_contain_text("Will invite")
    expect(results[1]).to_contain_text("Invalid")
    expect(results[2]).to_contain_text("Already a member")
    expect(results[3]).to_contain_text("Level not allowed for you")
    expect(results[4]).to_contain_text("Will invite")
    expect(results[5]).to_contain_text("Duplicate row")
    assert Invitation.objects.count() == 0 and smtp_inbox.messages == []

    page.get_by_role("button", name="Send 2 invitations").click()
    expect(page.get_by_text("2 invitations queued from team.csv")).to_be_visible()
    invitations = page.get_by_test_id("invitations-table")
    expect(invitations.locator("tr[data-invitation]")).to_have_count(2)
    assert_accessible(page)
    assert sorted(m["To"] for m in smtp_inbox.messages) == ["ana@example.com", "dee@example.com"]
    ana = Invitation.objects.get(email="ana@example.com")
    assert ana.role == "author" and ana.access_until.date().isoformat() == until


def test_admin_sets_when_a_members_access_ends(page):
    account = AccountFactory(name="West Bakery", slug="west", plan="premium")
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin").user
    author = MembershipFactory(account=account, role="author")
    until = timezone.localdate() + datetime.timedelta(days=3)

    page.goto(f"/a/west/users/{author.pk}/level/")
    sign_in(page, admin.email)
    assert_accessible(page)
    page.get_by_role("link", name="Change when access ends").click()
    expect(page.get_by_role("heading", name="When access ends")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Access until").fill((until + datetime.timedelta(days=400)).isoformat())
    page.get_by_role("button", name="Save access").click()
    expect(page.locator(".invalid-feedback", has_text="at most one year ahead")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Access until").fill(until.isoformat())
    page.get_by_role("button", name="Save access").click()
    expect(page.get_by_text(f"access ends on {until.day} {until:%b %Y}")).to_be_visible()
    row = page.locator(f'tr[data-member="{author.user.email}"]')
    expect(row.get_by_test_id("access-until")).to_contain_text("Ends soon")
    page.get_by_label("Status").select_option(label="Access ends within 7 days")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("members-table").locator("tr[data-member]")).to_have_count(1)
    assert_accessible(page)
    assert Membership.objects.get(pk=author.pk).access_until.date() == until

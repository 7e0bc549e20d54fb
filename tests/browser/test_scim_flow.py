"""An Admin turns SCIM on and creates a token (shown once); an identity provider then
provisions a person into the "Admin" group and the Users page shows them as an Admin."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def scim_call(base, token, method, path, body=None):
    request = urllib.request.Request(
        f"{base}/scim/v2/{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"},
    )
    with urllib.request.urlopen(request) as response:
        return response.status, json.loads(response.read() or b"null")


def test_admin_turns_scim_on_and_a_provisioned_person_appears(new_page, live_server):
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    MembershipFactory(account=account, role="owner", user=UserFactory(email="owner@acme.test"))
    MembershipFactory(account=account, role="admin", user=UserFactory(email="admin@acme.test"))

    page = new_page()
    sign_in(page, "admin@acme.test")
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    page.goto("/a/acme/settings/")
    page.get_by_role("link", name="Provisioning settings").click()
    expect(page.get_by_role("heading", name="Provisioning", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Turn on SCIM provisioning").check()
    page.get_by_label("Level for provisioned people").select_option("viewer")
    page.get_by_role("button", name="Save provisioning settings").click()
    expect(page.get_by_test_id("scim-state")).to_contain_text("on")
    expect(page.get_by_label("SCIM connector base URL")).to_have_value(
        f"{live_server.url}/scim/v2/"
    )

    page.get_by_role("link", name="Create SCIM token").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Okta")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="SCIM token created")).to_be_visible()
    secret = page.get_by_label("SCIM token “Okta”")
    token = secret.input_value()
    assert token.startswith("scim_")
    assert_accessible(page)
    page.reload()  # shown once: a refresh shows no token
    expect(page.get_by_role("heading", name="SCIM token “Okta”")).to_be_visible()
    assert token not in page.content()
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("cell", name="Okta", exact=True)).to_be_visible()

    # The identity provider, with the token.
    status, created = scim_call(
        live_server.url,
        token,
        "POST",
        "Users",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "new.hire@acme.test",
            "name": {"givenName": "New", "familyName": "Hire"},
            "active": True,
        },
    )
    assert status == 201
    status, _group = scim_call(
        live_server.url,
        token,
        "PATCH",
        "Groups/admin",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": created["id"]}]}],
        },
    )
    assert status == 200

    page.goto("/a/acme/users/")
    row = page.locator('tr[data-member="new.hire@acme.test"]')
    expect(row.get_by_test_id("level")).to_have_text("Admin")
    expect(row.get_by_test_id("status")).to_have_text("Active")
    assert_accessible(page)
    page.goto("/a/acme/activity/")
    expect(page.get_by_role("cell", name="SCIM (Okta)").first).to_be_visible()
    assert_accessible(page)

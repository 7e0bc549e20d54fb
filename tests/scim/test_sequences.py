"""Provisioning sequences as Okta and Microsoft Entra ID send them (the request shapes of
their SCIM 2.0 clients), checked on the Users page and in the activity log after each step."""

import pytest

from accounts.models import User
from memberships.models import Membership
from tests.scim.conftest import USER_SCHEMA, patch
from tests.scim.pages import latest_activity, users_row

pytestmark = pytest.mark.django_db

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture
def owner_view(scim_account, client_for):
    _account, owner, _admin = scim_account
    return client_for(owner.user)


def _step(owner_view, scim, email, *, level, status, name, action, who="SCIM (Okta)"):
    row = users_row(owner_view, scim.account, email)
    assert row == {"name": name, "level": level, "status": status}
    newest = latest_activity(owner_view, scim.account)[0]
    assert newest[1].startswith(who), newest
    assert newest[2] == action
    assert newest[3].endswith(email)  # "Name email": the log names people with their emails


def test_okta_sequence(scim, owner_view, django_capture_on_commit_callbacks, mailoutbox):
    email = "okta.user@example.com"
    # Okta first looks the person up by userName, then creates them.
    found = scim.get(f'Users?filter=userName eq "{email}"&startIndex=1&count=100')
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        created = scim.post(
            "Users",
            {
                "schemas": [USER_SCHEMA],
                "userName": email,
                "name": {"givenName": "Olga", "familyName": "Kta"},
                "emails": [{"primary": True, "value": email, "type": "work"}],
                "displayName": "Olga Kta",
                "locale": "en-US",
                "externalId": "00u1okta",
                "groups": [],
                "password": "ignored-Secret-1",
                "active": True,
            },
        )
    assert created.status_code == 201, created.content
    assert created["Content-Type"].startswith("application/scim+json")
    user_id = created.json()["id"]
    assert created["Location"].endswith(f"/scim/v2/Users/{user_id}")
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Olga Kta",
        action="Provisioned by SCIM",
    )
    login = User.objects.get(email=email)
    assert not login.has_usable_password()  # Okta's password is never taken
    welcome = [m for m in mailoutbox if m.to == [email]]
    assert len(welcome) == 1 and "/accounts/password/reset/key/" in welcome[0].body

    # Update the name: Okta PUTs the whole user.
    body = created.json() | {"name": {"givenName": "Olga", "familyName": "Okta"}}
    updated = scim.put(f"Users/{user_id}", body)
    assert updated.status_code == 200, updated.content
    assert updated.json()["name"]["familyName"] == "Okta"
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Olga Okta",
        action="Name changed",
    )

    # Deactivate, then reactivate: Okta PATCHes active with a path.
    off = scim.patch(f"Users/{user_id}", patch({"op": "replace", "value": {"active": False}}))
    assert off.status_code == 200 and off.json()["active"] is False
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Suspended",
        name="Olga Okta",
        action="Suspended",
    )
    on = scim.patch(f"Users/{user_id}", patch({"op": "replace", "path": "active", "value": True}))
    assert on.status_code == 200 and on.json()["active"] is True
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Olga Okta",
        action="Reactivated",
    )

    # Group push: Okta adds the user to "Admin" by PATCHing the group's members.
    groups = scim.get('Groups?filter=displayName eq "Admin"')
    assert [g["id"] for g in groups.json()["Resources"]] == ["admin"]
    added = scim.patch(
        "Groups/admin",
        patch({"op": "add", "path": "members", "value": [{"value": user_id, "display": email}]}),
    )
    assert added.status_code == 200, added.content
    _step(
        owner_view,
        scim,
        email,
        level="Admin",
        status="Active",
        name="Olga Okta",
        action="Level changed",
    )
    removed = scim.patch(
        "Groups/admin", patch({"op": "remove", "path": f'members[value eq "{user_id}"]'})
    )
    assert removed.status_code == 200, removed.content
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Olga Okta",
        action="Level changed",
    )

    # Delete (Okta deactivates first in practice; a DELETE revokes).
    gone = scim.delete(f"Users/{user_id}")
    assert gone.status_code == 204
    assert users_row(owner_view, scim.account, email) is None
    newest = latest_activity(owner_view, scim.account)[0]
    assert newest[1].startswith("SCIM (Okta)") and newest[2] == "Access revoked"
    assert scim.get(f"Users/{user_id}").status_code == 404


def test_entra_sequence(scim_account, make_token, owner_view, django_capture_on_commit_callbacks):
    from tests.scim.conftest import ScimClient

    account, _owner, admin = scim_account
    _token, raw = make_token(account, admin.user, name="Entra ID")
    scim = ScimClient(raw)
    scim.account = account
    email = "entra.user@example.com"
    # Entra probes with a random userName, then filters on its matching attribute.
    probe = scim.get('Users?filter=userName eq "2b7e6f1e-probe@example.com"')
    assert probe.status_code == 200 and probe.json()["Resources"] == []
    created = scim.post(
        "Users",
        {
            "schemas": [
                USER_SCHEMA,
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            ],
            "externalId": "e1f2-entra",
            "userName": email,
            "active": True,
            "displayName": "Erin Tra",
            "emails": [{"primary": True, "type": "work", "value": email}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Erin Tra", "familyName": "Tra", "givenName": "Erin"},
            "roles": [],
        },
    )
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    who = "SCIM (Entra ID)"
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Erin Tra",
        action="Provisioned by SCIM",
        who=who,
    )
    by_external = scim.get('Users?filter=externalId eq "e1f2-entra"')
    assert [u["id"] for u in by_external.json()["Resources"]] == [user_id]

    # Entra's PATCH: capitalised ops, paths with filters, values as strings.
    renamed = scim.patch(
        f"Users/{user_id}",
        patch(
            {"op": "Replace", "path": "name.familyName", "value": "Trala"},
            {"op": "Replace", "path": "displayName", "value": "Erin Trala"},
        ),
    )
    assert renamed.status_code == 200, renamed.content
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Erin Trala",
        action="Name changed",
        who=who,
    )

    off = scim.patch(f"Users/{user_id}", patch({"op": "Replace", "value": {"active": False}}))
    assert off.status_code == 200, off.content
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Suspended",
        name="Erin Trala",
        action="Suspended",
        who=who,
    )
    on = scim.patch(f"Users/{user_id}", patch({"op": "Replace", "path": "active", "value": "True"}))
    assert on.status_code == 200, on.content
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Erin Trala",
        action="Reactivated",
        who=who,
    )

    # Entra's group membership: Add/Remove members with a value list.
    entra_group = scim.get('Groups?excludedAttributes=members&filter=displayName eq "Author"')
    assert entra_group.json()["Resources"][0]["id"] == "author"
    assert "members" not in entra_group.json()["Resources"][0]
    add = scim.patch(
        "Groups/author", patch({"op": "Add", "path": "members", "value": [{"value": user_id}]})
    )
    assert add.status_code == 200, add.content
    _step(
        owner_view,
        scim,
        email,
        level="Author",
        status="Active",
        name="Erin Trala",
        action="Level changed",
        who=who,
    )
    remove = scim.patch(
        "Groups/author", patch({"op": "Remove", "path": "members", "value": [{"value": user_id}]})
    )
    assert remove.status_code == 200, remove.content
    _step(
        owner_view,
        scim,
        email,
        level="Viewer",
        status="Active",
        name="Erin Trala",
        action="Level changed",
        who=who,
    )

    assert scim.delete(f"Users/{user_id}").status_code == 204
    assert users_row(owner_view, account, email) is None
    assert not Membership.objects.filter(account=account, user__email=email).exists()

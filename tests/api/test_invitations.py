"""Invitation endpoints: the same service (rules, caps, emails) as the Invite form."""

import pytest

from audit.models import ActivityEvent
from invitations.models import Invitation

pytestmark = pytest.mark.django_db


def invite(client, emails, level="viewer", message=""):
    return client("POST", "/invitations", {"emails": emails, "level": level, "message": message})


def test_admin_key_invites_and_lists(
    api_as, admin_key, account, mailoutbox, django_capture_on_commit_callbacks
):
    client = api_as(admin_key)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, ["new.person@example.test", "Other@Example.test"], "author")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 2
    assert {i["email"] for i in body["items"]} == {"new.person@example.test", "other@example.test"}
    assert Invitation.objects.filter(account=account, status="pending").count() == 2
    assert ActivityEvent.objects.filter(action="invitation.sent", account=account).count() == 2
    assert {m.to[0] for m in mailoutbox} >= {"new.person@example.test", "other@example.test"}

    listed = client("GET", "/invitations").json()
    assert listed["count"] == 2
    assert all(i["level"] == "author" and i["status"] == "pending" for i in listed["items"])


def test_admin_key_cannot_invite_an_owner_or_above_its_level(api_as, admin_key, account):
    response = invite(api_as(admin_key), ["x@example.test"], "owner")
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_refuses_the_whole_batch(api_as, owner_key, members):
    response = invite(api_as(owner_key), ["fresh@example.test", members["viewer"].user.email])
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_addresses"
    assert response.json()["errors"]
    assert not Invitation.objects.exists()


def test_the_daily_cap_applies(api_as, owner_key, settings):
    settings.INVITATIONS_PER_ACCOUNT_PER_DAY = 2
    client = api_as(owner_key)
    assert invite(client, ["a@example.test", "b@example.test"]).status_code == 201
    response = invite(client, ["c@example.test"])
    assert response.status_code == 429
    assert response.json()["code"] == "invite_cap_reached"
    assert Invitation.objects.count() == 2


def test_cancel_an_invitation(api_as, owner_key, account):
    client = api_as(owner_key)
    invitation_id = invite(client, ["a@example.test"]).json()["items"][0]["id"]
    response = client("DELETE", f"/invitations/{invitation_id}")
    assert response.status_code == 204
    assert Invitation.objects.get(pk=invitation_id).status == "cancelled"
    again = client("DELETE", f"/invitations/{invitation_id}")
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_closed"


def test_another_accounts_invitation_is_404(api_as, owner_key, other_account):
    from invitations.services import invite_users

    other_owner = other_account.memberships.get(role="owner").user
    [foreign] = invite_users(
        accounts=[other_account], emails=["z@example.test"], level="viewer", actor=other_owner
    )
    response = api_as(owner_key)("DELETE", f"/invitations/{foreign.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    listed = api_as(owner_key)("GET", "/invitations").json()
    assert foreign.pk not in [i["id"] for i in listed["items"]]

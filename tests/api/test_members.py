"""Member endpoints: the same services and rules as the Users page."""

import pytest

from audit.models import ActivityEvent
from memberships.models import Membership

pytestmark = pytest.mark.django_db


def test_get_member_shows_level_status_and_2fa(api_as, owner_key, members):
    viewer = members["viewer"]
    response = api_as(owner_key)("GET", f"/members/{viewer.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == viewer.user.email
    assert body["level"] == "viewer"
    assert body["status"] == "active"
    assert body["two_factor_enabled"] is False


def test_list_members_is_paged(api_as, owner_key, members):
    body = api_as(owner_key)("GET", "/members?limit=2&offset=1").json()
    assert body["count"] == 5
    assert len(body["items"]) == 2


def test_owner_changes_a_level(api_as, owner_key, members):
    viewer = members["viewer"]
    response = api_as(owner_key)("PATCH", f"/members/{viewer.pk}", {"level": "author"})
    assert response.status_code == 200, response.content
    assert response.json()["level"] == "author"
    viewer.refresh_from_db()
    assert viewer.role == "author"
    assert ActivityEvent.objects.filter(action="member.level_changed", target_user=viewer.user)


def test_admin_key_cannot_change_the_owner(api_as, admin_key, members):
    owner = members["owner"]
    response = api_as(admin_key)("PATCH", f"/members/{owner.pk}", {"level": "viewer"})
    assert response.status_code == 403
    assert response.json()["code"] == "cannot_change_owner"
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_admin_key_cannot_grant_owner_level(api_as, admin_key, members):
    viewer = members["viewer"]
    response = api_as(admin_key)("PATCH", f"/members/{viewer.pk}", {"level": "owner"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"
    viewer.refresh_from_db()
    assert viewer.role == "viewer"


def test_unknown_level_is_a_validation_error(api_as, owner_key, members):
    response = api_as(owner_key)("PATCH", f"/members/{members['viewer'].pk}", {"level": "boss"})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_owner_revokes_a_member(api_as, owner_key, members):
    manager = members["manager"]
    response = api_as(owner_key)("DELETE", f"/members/{manager.pk}")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=manager.pk).exists()
    assert ActivityEvent.objects.filter(action="member.revoked", target_user=manager.user)


def test_admin_key_cannot_revoke_itself(api_as, admin_key, members):
    response = api_as(admin_key)("DELETE", f"/members/{members['admin'].pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "cannot_change_self"
    assert Membership.objects.filter(pk=members["admin"].pk).exists()


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"level": "viewer"}), ("DELETE", None)]
)
def test_member_endpoints_answer_404_for_another_accounts_ids(
    api_as, owner_key, other_account, method, body
):
    foreign = other_account.memberships.get(role="admin")
    response = api_as(owner_key)(method, f"/members/{foreign.pk}", body)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    foreign.refresh_from_db()
    assert foreign.role == "admin"


@pytest.mark.parametrize("size", [3, 30])
def test_list_members_query_count_does_not_grow(
    api_as, owner_key, account, django_assert_max_num_queries, size
):
    from tests.factories import MembershipFactory

    for _ in range(size):
        MembershipFactory(account=account)
    with django_assert_max_num_queries(8):
        response = api_as(owner_key)("GET", "/members")
    assert response.json()["count"] == size + 5

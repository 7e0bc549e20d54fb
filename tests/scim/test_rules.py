"""Roster's rules through /scim/v2/: seats, plan levels, the Owner, another account's ids,
and the one access gate for the token's creator. Each refusal is a SCIM error and nothing
changes."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from accounts.models import User
from audit.models import ActivityEvent
from memberships.models import Membership
from scim.models import Provisioning
from tests.factories import InvitationFactory, MembershipFactory
from tests.scim.conftest import ScimClient, new_user, patch

pytestmark = pytest.mark.django_db


def _state(account):
    return (
        list(Membership.objects.filter(account=account).order_by("pk").values()),
        ActivityEvent.objects.filter(account=account).count(),
        User.objects.count(),
    )


def _error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type
    return body


# --- Seats and plan levels ----------------------------------------------------------------


def test_no_seat_left_is_refused_with_a_readable_detail(scim_account, make_token):
    account, _owner, admin = scim_account
    account.plan = "standard"  # 5 seats: Owner, Admin, two members and one invitation
    account.save()
    MembershipFactory.create_batch(2, account=account, role="viewer")
    InvitationFactory(account=account, invited_by=admin.user)
    _token, raw = make_token(account, admin.user)
    before = _state(account)
    body = _error(ScimClient(raw).post("Users", new_user()), 403)
    assert "no seat left" in body["detail"]
    assert _state(account) == before


def test_a_level_the_plan_does_not_offer_is_refused(scim_account, make_token):
    account, _owner, admin = scim_account
    account.plan = "standard"  # no Manager level
    account.save()
    _token, raw = make_token(account, admin.user)
    client = ScimClient(raw)
    created = client.post("Users", new_user())
    assert created.status_code == 201
    user_id = created.json()["id"]
    before = _state(account)
    body = _error(
        client.patch(
            "Groups/manager", patch({"op": "add", "path": "members", "value": [{"value": user_id}]})
        ),
        400,
        "invalidValue",
    )
    assert "Standard plan does not offer the Manager level" in body["detail"]
    with_role = new_user("mara@example.com") | {"roles": [{"value": "Manager"}]}
    _error(client.post("Users", with_role), 400, "invalidValue")
    assert _state(account) == before


def test_free_and_essentials_plans_have_no_scim(scim, scim_account):
    account, _owner, _admin = scim_account
    account.plan = "essentials"
    account.save()
    _error(scim.get("Users"), 401)


def test_turning_scim_off_stops_the_token(scim, scim_account):
    account, _owner, _admin = scim_account
    Provisioning.objects.filter(account=account).update(enabled=False)
    body = _error(scim.get("Users"), 401)
    assert "turned off" in body["detail"]


# --- The Owner ----------------------------------------------------------------------------


def test_scim_never_touches_the_owner(scim, scim_account):
    account, owner, _admin = scim_account
    before = _state(account)
    owner_id = str(owner.pk)
    _error(
        scim.patch(f"Users/{owner_id}", patch({"op": "replace", "value": {"active": False}})),
        403,
        "mutability",
    )
    _error(scim.delete(f"Users/{owner_id}"), 403, "mutability")
    _error(
        scim.patch(
            "Groups/admin", patch({"op": "add", "path": "members", "value": [{"value": owner_id}]})
        ),
        403,
    )
    _error(
        scim.patch(
            "Groups/owner", patch({"op": "remove", "path": f'members[value eq "{owner_id}"]'})
        ),
        403,
        "mutability",
    )
    user_id = scim.post("Users", new_user()).json()["id"]
    before = _state(account)
    _error(
        scim.patch(
            "Groups/owner", patch({"op": "add", "path": "members", "value": [{"value": user_id}]})
        ),
        403,
        "mutability",
    )
    _error(
        scim.post("Users", new_user("o@example.com") | {"roles": [{"value": "owner"}]}),
        400,
        "invalidValue",
    )
    assert _state(account) == before
    # Reading the Owner is fine, and a PUT that changes nothing is a no-op.
    current = scim.get(f"Users/{owner_id}")
    assert current.status_code == 200 and current.json()["groups"][0]["value"] == "owner"
    assert scim.put(f"Users/{owner_id}", current.json()).status_code == 200
    assert _state(account) == before


def test_groups_are_the_levels_and_are_neither_created_nor_deleted(scim):
    listed = scim.get("Groups").json()
    assert [g["displayName"] for g in listed["Resources"]] == [
        "Owner",
        "Admin",
        "Manager",
        "Author",
        "Viewer",
    ]
    _error(
        scim.post(
            "Groups",
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Sales"},
        ),
        403,
    )
    _error(scim.delete("Groups/viewer"), 403)
    _error(scim.get("Groups/sales"), 404)


# --- Another account ----------------------------------------------------------------------


def test_a_token_never_sees_or_changes_another_account(scim, other_account):
    stranger = MembershipFactory(account=other_account, role="viewer")
    before = _state(other_account)
    sid = str(stranger.pk)
    _error(scim.get(f"Users/{sid}"), 404)
    _error(scim.put(f"Users/{sid}", new_user(stranger.user.email)), 404)
    _error(scim.patch(f"Users/{sid}", patch({"op": "replace", "value": {"active": False}})), 404)
    _error(scim.delete(f"Users/{sid}"), 404)
    _error(
        scim.patch(
            "Groups/admin", patch({"op": "add", "path": "members", "value": [{"value": sid}]})
        ),
        400,
        "invalidValue",
    )
    listed = scim.get(f'Users?filter=userName eq "{stranger.user.email}"').json()
    assert listed["totalResults"] == 0
    assert stranger.user.email not in str(scim.get("Groups").json())
    assert _state(other_account) == before


def test_an_existing_login_joins_without_a_new_password(
    scim, other_account, django_capture_on_commit_callbacks, mailoutbox
):
    elsewhere = MembershipFactory(account=other_account, role="viewer")
    with django_capture_on_commit_callbacks(execute=True):
        created = scim.post("Users", new_user(elsewhere.user.email, given="New", family="Name"))
    assert created.status_code == 201
    elsewhere.user.refresh_from_db()
    assert elsewhere.user.has_usable_password()
    # The name belongs to a login other accounts see: it is left as it is.
    assert created.json()["name"]["givenName"] == elsewhere.user.first_name
    welcome = [m for m in mailoutbox if m.to == [elsewhere.user.email]]
    assert "password/reset" not in welcome[0].body
    _error(scim.post("Users", new_user(elsewhere.user.email)), 409, "uniqueness")


# --- The access gate for the token's creator ----------------------------------------------


def _block(refusal, account, admin):
    if refusal == "not_a_member":
        admin.delete()
    elif refusal == "suspended":
        admin.status = "suspended"
        admin.save()
    elif refusal == "account_closed":
        account.closed_at = timezone.now()
        account.save()
    elif refusal == "two_factor_required":
        account.require_2fa = True
        account.save()
    elif refusal == "two_factor_reset":
        TOTP.activate(admin.user, "JBSWY3DPEHPK3PXP")
        admin.user.must_set_up_2fa = True
        admin.user.save()
        admin.user.authenticator_set.all().delete()
    elif refusal == "demoted":
        admin.role = "manager"
        admin.save()
    elif refusal == "revoked_token":
        from scim.models import ScimToken

        ScimToken.objects.update(revoked_at=timezone.now())


@pytest.mark.parametrize(
    "refusal",
    [
        "not_a_member",
        "suspended",
        "account_closed",
        "two_factor_required",
        "two_factor_reset",
        "demoted",
        "revoked_token",
    ],
)
def test_the_token_stops_when_its_creator_is_refused_by_the_gate(refusal, scim, scim_account):
    account, _owner, admin = scim_account
    target = MembershipFactory(account=account, role="viewer")
    assert scim.get("Users").status_code == 200
    _block(refusal, account, admin)
    before = _state(account)
    for response in (
        scim.get("Users"),
        scim.get("ServiceProviderConfig"),
        scim.post("Users", new_user()),
        scim.patch(f"Users/{target.pk}", patch({"op": "replace", "value": {"active": False}})),
        scim.delete(f"Users/{target.pk}"),
        scim.patch(
            "Groups/admin",
            patch({"op": "add", "path": "members", "value": [{"value": str(target.pk)}]}),
        ),
    ):
        _error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert _state(account) == before


def test_a_wrong_missing_or_api_key_token_is_401(scim):
    for header in (
        "",
        "Bearer nope",
        "Basic abc",
        f"Bearer {scim.raw_token}x",
        "Bearer rk_0123456789ab_secret",
    ):
        response = scim.client.get(
            "/scim/v2/Users", headers={"Authorization": header} if header else {}
        )
        _error(response, 401)


def test_a_token_in_the_query_string_is_refused_even_when_right(scim):
    response = scim.client.get(f"/scim/v2/Users?access_token={scim.raw_token}")
    _error(response, 400)


def test_requests_are_rate_limited_per_token(scim, settings):
    settings.SCIM_RATE_LIMIT_PER_MINUTE = 3
    assert [scim.get("Users").status_code for _ in range(3)] == [200, 200, 200]
    _error(scim.get("Users"), 429)


def test_failed_attempts_are_rate_limited_per_address(scim, settings):
    settings.SCIM_AUTH_FAILURES_PER_MINUTE = 2
    bad = ScimClient("scim_0123456789ab_wrong")
    assert [bad.get("Users").status_code for _ in range(2)] == [401, 401]
    _error(bad.get("Users"), 429)
    _error(scim.get("Users"), 429)  # the same address, even with a good token


def test_the_token_creator_cannot_suspend_themself(scim, scim_account):
    _account, _owner, admin = scim_account
    _error(
        scim.patch(f"Users/{admin.pk}", patch({"op": "replace", "value": {"active": False}})),
        403,
        "mutability",
    )


def test_last_used_is_recorded(scim):
    scim.token.refresh_from_db()
    assert scim.token.last_used_at is None
    scim.get("Users")
    scim.token.refresh_from_db()
    assert scim.token.last_used_at is not None

"""Who may call the API: only a valid key, in the Authorization header, of an active Owner
or Admin, with 2FA where the account requires it, in an open account."""

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from apikeys.models import ApiKey
from people import services
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def assert_refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_valid_key_lists_members(api_as, owner_key, members):
    response = api_as(owner_key)("GET", "/members")
    assert response.status_code == 200
    emails = {m["email"] for m in response.json()["items"]}
    assert emails == {m.user.email for m in members.values()}
    owner_key.refresh_from_db()
    assert owner_key.last_used_at is not None


def test_missing_and_malformed_keys_answer_401(api_as, owner_key):
    assert_refused(api_as(None)("GET", "/members"), 401, "missing_key")
    for bad in ["nonsense", "rk_short_x", owner_key.raw_key + "x", "rk_" + "0" * 12 + "_abc"]:
        assert_refused(api_as(bad)("GET", "/members"), 401, "invalid_key")
    response = api_as(None)("GET", "/members", HTTP_AUTHORIZATION=f"Basic {owner_key.raw_key}")
    assert_refused(response, 401, "missing_key")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("param", ["api_key", "key", "token", "access_token"])
def test_key_in_query_string_is_refused(api_as, owner_key, param):
    client = api_as(None)
    response = client("GET", f"/members?{param}={owner_key.raw_key}")
    assert_refused(response, 400, "key_in_query_string")
    # Even alongside a valid header: the key has leaked into a URL, the request is refused.
    response = api_as(owner_key)("GET", f"/members?{param}={owner_key.raw_key}")
    assert_refused(response, 400, "key_in_query_string")


def test_a_key_pasted_under_any_parameter_name_is_refused(api_as, owner_key):
    response = api_as(owner_key)("GET", f"/members?q={owner_key.raw_key}")
    assert_refused(response, 400, "key_in_query_string")


def test_no_key_secret_is_stored_in_plain_text(owner_key):
    secret = owner_key.raw_key.split("_", 2)[2]
    row = ApiKey.objects.filter(pk=owner_key.pk).values().get()
    for value in row.values():
        assert secret not in str(value)
    assert len(row["secret_hash"]) == 64


def test_revoked_creator_key_fails_on_next_request(api_as, members, admin_key):
    client = api_as(admin_key)
    assert client("GET", "/members").status_code == 200
    services.revoke_member(
        account=members["owner"].account,
        membership_id=members["admin"].pk,
        actor=members["owner"].user,
    )
    assert_refused(client("GET", "/members"), 401, "invalid_key")
    assert not ApiKey.objects.filter(pk=admin_key.pk).exists()


def test_demoted_creator_key_fails_on_next_request(api_as, members, admin_key):
    client = api_as(admin_key)
    assert client("GET", "/members").status_code == 200
    services.change_level(
        account=members["owner"].account,
        membership_id=members["admin"].pk,
        level="manager",
        actor=members["owner"].user,
    )
    assert client("GET", "/members").status_code == 401


def test_demoted_creator_key_fails_even_if_the_key_row_survived(api_as, members, admin_key):
    # Belt and braces: the check reads the creator's current level, not the key's history.
    members["admin"].role = "manager"
    members["admin"].save()
    assert_refused(api_as(admin_key)("GET", "/members"), 401, "creator_level")


def test_suspended_creator_key_fails_and_works_again_on_reactivation(api_as, members, admin_key):
    client = api_as(admin_key)
    owner, account = members["owner"].user, members["owner"].account
    services.suspend_member(account=account, membership_id=members["admin"].pk, actor=owner)
    assert_refused(client("GET", "/members"), 401, "creator_inactive")
    services.reactivate_member(account=account, membership_id=members["admin"].pk, actor=owner)
    assert client("GET", "/members").status_code == 200


def test_closed_account_key_fails(api_as, owner_key, account):
    account.closed_at = timezone.now()
    account.save()
    assert_refused(api_as(owner_key)("GET", "/members"), 401, "account_closed")


def test_expired_key_fails(api_as, members):
    key = ApiKeyFactory(
        account=members["owner"].account,
        created_by=members["owner"].user,
        expires_at=timezone.now() - timezone.timedelta(seconds=1),
    )
    assert_refused(api_as(key)("GET", "/members"), 401, "key_expired")


def test_required_2fa_blocks_key_of_creator_without_2fa_until_set_up(api_as, owner_key, account):
    account.require_2fa = True
    account.save()
    client = api_as(owner_key)
    assert_refused(client("GET", "/members"), 401, "two_factor_required")
    Authenticator.objects.create(
        user=owner_key.created_by, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert client("GET", "/members").status_code == 200


def test_key_of_another_account_creator_cannot_see_this_account(api_as, members, other_account):
    other_owner = other_account.memberships.get(role="owner")
    key = ApiKeyFactory(account=other_account, created_by=other_owner.user)
    items = api_as(key)("GET", "/members").json()["items"]
    assert {m["email"] for m in items} == set(
        other_account.memberships.values_list("user__email", flat=True)
    )


def test_rate_limit_answers_429(api_as, owner_key, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    client = api_as(owner_key)
    assert [client("GET", "/members").status_code for _ in range(3)] == [200, 200, 200]
    assert_refused(client("GET", "/members"), 429, "rate_limited")


def test_failed_key_attempts_are_rate_limited_per_ip(api_as, owner_key, settings):
    settings.API_AUTH_FAILURES_PER_MINUTE = 2
    bad = api_as("rk_000000000000_guess")
    assert [bad("GET", "/members").status_code for _ in range(2)] == [401, 401]
    assert_refused(bad("GET", "/members"), 429, "rate_limited")
    # The limit is per client IP, so even the valid key from that IP waits.
    assert api_as(owner_key)("GET", "/members").status_code == 429

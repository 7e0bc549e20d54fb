"""Admin > API keys through the browser's boundary: the Django test client."""

import re

import pytest
from django.urls import reverse

from apikeys.models import ApiKey
from audit.models import ActivityEvent
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def url(name, account, **kwargs):
    return reverse(f"apikeys:{name}", kwargs={"slug": account.slug, **kwargs})


def recently_authenticated(client):
    """What allauth records at login; force_login does not, so reauthentication would ask."""
    import time

    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()
    return client


def key_on_page(response) -> str:
    match = re.search(rb'value="(rk_[0-9a-f]{12}_[^"]+)"', response.content)
    assert match, "the new key is shown on the page"
    return match.group(1).decode()


def test_owner_and_admin_see_the_list_others_get_403(client_for, members, account):
    ApiKeyFactory(account=account, created_by=members["admin"].user, name="CRM sync")
    for role in ["owner", "admin"]:
        response = client_for(members[role].user).get(url("list", account))
        assert response.status_code == 200
        assert b"CRM sync" in response.content
    for role in ["manager", "author", "viewer"]:
        assert client_for(members[role].user).get(url("list", account)).status_code == 403


def test_create_shows_the_key_once_with_no_store_and_stores_only_a_hash(
    client_for, members, account
):
    client = recently_authenticated(client_for(members["admin"].user))
    posted = client.post(url("create", account), {"name": "CRM sync", "expires_on": ""})
    key = ApiKey.objects.get(account=account)
    assert posted.status_code == 302  # post/redirect/get: the POST shows no secret
    assert posted["Location"] == url("secret", account, key_id=key.pk)
    response = client.get(posted["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = key_on_page(response)
    assert key.name == "CRM sync"
    assert key.created_by == members["admin"].user
    assert raw.split("_", 2)[2] not in key.secret_hash
    assert ActivityEvent.objects.filter(action="apikey.created", account=account).count() == 1
    # The list never shows it again.
    listing = client.get(url("list", account))
    assert raw.encode() not in listing.content
    assert key.prefix.encode() in listing.content
    # Refreshing the secret page shows no secret and creates no second key.
    again = client.get(posted["Location"])
    assert again.status_code == 200
    assert raw.encode() not in again.content
    assert b"was shown once" in again.content
    assert ApiKey.objects.filter(account=account).count() == 1


def test_create_asks_for_reauthentication_when_the_last_login_is_old(client_for, members, account):
    client = client_for(members["owner"].user, stale=True)  # logged in an hour ago
    response = client.post(url("create", account), {"name": "CRM sync"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ApiKey.objects.exists()


def test_manager_cannot_create_a_key(client_for, members, account):
    client = recently_authenticated(client_for(members["manager"].user))
    assert client.post(url("create", account), {"name": "x"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_expiry_must_be_in_the_future(client_for, members, account):
    client = recently_authenticated(client_for(members["owner"].user))
    response = client.post(url("create", account), {"name": "x", "expires_on": "2000-01-01"})
    assert response.status_code == 200
    assert b"Choose a day after today." in response.content
    assert not ApiKey.objects.exists()


def test_owner_regenerates_and_the_old_secret_fails(client_for, members, account):
    key = ApiKeyFactory(account=account, created_by=members["admin"].user)
    old = key.raw_key
    client = recently_authenticated(client_for(members["owner"].user))
    posted = client.post(url("regenerate", account, key_id=key.pk))
    assert posted.status_code == 302
    response = client.get(posted["Location"])
    assert "no-store" in response["Cache-Control"]
    new = key_on_page(response)
    assert new.encode() not in client.get(posted["Location"]).content  # shown once
    assert new != old
    assert new.split("_")[1] == key.prefix  # same row, same public prefix
    api = {"HTTP_AUTHORIZATION": f"Bearer {old}"}
    assert client.get("/api/v1/members", **api).status_code == 401
    api = {"HTTP_AUTHORIZATION": f"Bearer {new}"}
    assert client.get("/api/v1/members", **api).status_code == 200
    assert ActivityEvent.objects.filter(action="apikey.regenerated").count() == 1


def test_admin_regenerating_a_key_gets_403_and_nothing_changes(client_for, members, account):
    key = ApiKeyFactory(account=account, created_by=members["owner"].user)
    before = key.secret_hash
    client = recently_authenticated(client_for(members["admin"].user))
    assert client.post(url("regenerate", account, key_id=key.pk)).status_code == 403
    # Not even their own key: only the Owner regenerates.
    own = ApiKeyFactory(account=account, created_by=members["admin"].user)
    assert client.post(url("regenerate", account, key_id=own.pk)).status_code == 403
    key.refresh_from_db()
    assert key.secret_hash == before
    assert not ActivityEvent.objects.filter(action="apikey.regenerated").exists()


def test_admin_deletes_own_key_but_not_others(client_for, members, account):
    own = ApiKeyFactory(account=account, created_by=members["admin"].user)
    owners = ApiKeyFactory(account=account, created_by=members["owner"].user)
    client = client_for(members["admin"].user)
    assert client.get(url("delete", account, key_id=owners.pk)).status_code == 403
    response = client.post(url("delete", account, key_id=owners.pk))
    assert response.status_code == 302
    assert ApiKey.objects.filter(pk=owners.pk).exists()
    assert client.post(url("delete", account, key_id=own.pk)).status_code == 302
    assert not ApiKey.objects.filter(pk=own.pk).exists()
    assert ActivityEvent.objects.filter(action="apikey.deleted").count() == 1


def test_owner_deletes_anyones_key(client_for, members, account):
    key = ApiKeyFactory(account=account, created_by=members["admin"].user)
    client = client_for(members["owner"].user)
    assert client.post(url("delete", account, key_id=key.pk)).status_code == 302
    assert not ApiKey.objects.filter(pk=key.pk).exists()


def test_another_accounts_key_is_404(client_for, members, account, other_account):
    foreign = ApiKeyFactory(
        account=other_account, created_by=other_account.memberships.get(role="owner").user
    )
    client = recently_authenticated(client_for(members["owner"].user))
    for name in ["regenerate", "delete"]:
        assert client.post(url(name, account, key_id=foreign.pk)).status_code == 404
    assert ApiKey.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("size", [2, 20])
def test_list_page_query_count_does_not_grow_with_keys(
    client_for, members, account, django_assert_max_num_queries, size
):
    for i in range(size):
        creator = members["owner" if i % 2 else "admin"].user
        ApiKeyFactory(account=account, created_by=creator)
    client = client_for(members["admin"].user)
    client.get(url("list", account))  # warm the session
    with django_assert_max_num_queries(8):
        response = client.get(url("list", account))
    assert response.status_code == 200
    assert response.content.count(b"data-key-id=") == size


def test_refusals_come_before_any_password_prompt(client_for, members, account, other_account):
    # Without recent re-authentication: a Manager still gets 403 and a stranger 404, not a
    # password prompt that would reveal the page exists and is theirs to unlock.
    key = ApiKeyFactory(account=account, created_by=members["owner"].user)
    manager = client_for(members["manager"].user)
    assert manager.post(url("create", account), {"name": "x"}).status_code == 403
    assert manager.post(url("regenerate", account, key_id=key.pk)).status_code == 403
    stranger = client_for(other_account.memberships.get(role="owner").user)
    assert stranger.post(url("create", account), {"name": "x"}).status_code == 404
    assert ApiKey.objects.count() == 1


def test_another_member_cannot_collect_a_secret_from_the_secret_page(client_for, members, account):
    """The secret lives in the session of the person who made it, nowhere else."""
    creator = recently_authenticated(client_for(members["admin"].user))
    posted = creator.post(url("create", account), {"name": "CRM sync", "expires_on": ""})
    owner_view = client_for(members["owner"].user).get(posted["Location"])
    assert owner_view.status_code == 200
    assert b"rk_" not in owner_view.content
    assert key_on_page(creator.get(posted["Location"]))  # still there for its maker


def test_the_key_list_shows_dates_in_the_viewers_time_zone(client_for, members, account):
    import datetime as dt

    user = members["admin"].user
    user.time_zone = "Asia/Tokyo"
    user.save()
    ApiKeyFactory(
        account=account,
        created_by=user,
        created_at=dt.datetime(2026, 1, 5, 23, 30, tzinfo=dt.UTC),
    )
    body = client_for(user).get(url("list", account)).content.decode()
    assert "6 Jan 2026, 08:30 JST" in body

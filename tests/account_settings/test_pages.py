"""Who may open each Settings page and who may change what; forged POSTs change nothing."""

import pytest
from django.urls import reverse

from accounts.models import Account
from audit.models import ActivityEvent

pytestmark = pytest.mark.django_db

OWNER_ADMIN = {"owner": 200, "admin": 200, "manager": 403, "author": 403, "viewer": 403}


def url(name, account):
    return reverse(f"account_settings:{name}", kwargs={"slug": account.slug})


@pytest.mark.parametrize("name", ["index", "two_factor", "export", "close"])
@pytest.mark.parametrize("role", list(OWNER_ADMIN))
def test_settings_pages_by_level(client_for, members, name, role):
    response = client_for(members[role].user).get(url(name, members[role].account))
    assert response.status_code == OWNER_ADMIN[role]


@pytest.mark.parametrize("name", ["index", "two_factor", "export", "close", "reopen"])
def test_member_of_another_account_gets_404(client_for, members, other_account, name):
    outsider = other_account.memberships.get(role="owner").user
    assert client_for(outsider).get(url(name, members["owner"].account)).status_code == 404


def test_settings_page_shows_owner_only_controls_to_the_owner(client_for, members):
    account = members["owner"].account
    owner_page = client_for(members["owner"].user).get(url("index", account)).content.decode()
    admin_page = client_for(members["admin"].user).get(url("index", account)).content.decode()
    assert "Let Admins manage billing" in owner_page
    assert "Let Admins manage billing" not in admin_page
    assert "Only the Owner can change this." in admin_page
    for page in (owner_page, admin_page):
        assert url("close", account) in page
        assert url("export", account) in page
        assert f"/a/{account.slug}/" in page


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_owner_and_admin_rename_the_account_and_the_slug_stays(client_for, members, role):
    account = members["owner"].account
    slug = account.slug
    response = client_for(members[role].user).post(url("index", account), {"name": "  New   Name "})
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.slug) == ("New Name", slug)
    event = ActivityEvent.objects.get(account=account, action="account.renamed")
    assert event.new_value == "New Name"


def test_empty_name_is_refused(client_for, members):
    account = members["owner"].account
    response = client_for(members["owner"].user).post(url("index", account), {"name": "   "})
    assert response.status_code == 200
    assert Account.objects.get(pk=account.pk).name == account.name


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_forged_rename_is_refused(client_for, members, role):
    account = members["owner"].account
    response = client_for(members[role].user).post(url("index", account), {"name": "Hijacked"})
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).name == account.name
    assert not ActivityEvent.objects.filter(account=account).exists()


@pytest.mark.parametrize("role", ["admin", "manager", "author", "viewer"])
def test_only_the_owner_lets_admins_manage_billing(client_for, members, role):
    account = members["owner"].account
    response = client_for(members[role].user).post(
        url("billing_access", account), {"enabled": "on"}
    )
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).admins_can_manage_billing is False


def test_owner_turns_admin_billing_on_and_off(client_for, members):
    account = members["owner"].account
    client = client_for(members["owner"].user)
    client.post(url("billing_access", account), {"enabled": "on"})
    assert Account.objects.get(pk=account.pk).admins_can_manage_billing is True
    client.post(url("billing_access", account), {"enabled": "off"})
    assert Account.objects.get(pk=account.pk).admins_can_manage_billing is False
    values = list(
        ActivityEvent.objects.filter(action="account.settings_changed")
        .order_by("id")
        .values_list("target_label", "new_value")
    )
    assert values == [("Admins can manage billing", "on"), ("Admins can manage billing", "off")]


def test_billing_access_refuses_get(client_for, members):
    account = members["owner"].account
    assert client_for(members["owner"].user).get(url("billing_access", account)).status_code == 405


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_forged_export_close_and_2fa_posts_are_refused(client_for, members, role):
    account = members["owner"].account
    client = client_for(members[role].user)
    assert client.post(url("export", account)).status_code == 403
    assert client.post(url("two_factor", account), {"enabled": "on"}).status_code == 403
    response = client.post(
        url("close", account), {"confirm_name": account.name, "password": "Correct-Horse-42!"}
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert (account.is_closed, account.require_2fa) == (False, False)
    assert not ActivityEvent.objects.filter(account=account).exists()

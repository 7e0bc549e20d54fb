"""Admin > Settings > Provisioning through the test client."""

import re

import pytest
from django.urls import reverse

from audit.models import ActivityEvent
from scim.models import Provisioning, ScimToken
from tests.scim.conftest import ScimClient

pytestmark = pytest.mark.django_db


def url(name, account, **kwargs):
    return reverse(f"provisioning:{name}", kwargs={"slug": account.slug, **kwargs})


def token_on_page(response) -> str:
    match = re.search(rb'value="(scim_[0-9a-f]{12}_[^"]+)"', response.content)
    assert match, "the new token is shown on the page"
    return match.group(1).decode()


def test_owner_and_admin_open_the_page_others_get_403(client_for, members, account):
    for role, status in [("owner", 200), ("admin", 200), ("manager", 403), ("viewer", 403)]:
        response = client_for(members[role].user).get(url("index", account))
        assert response.status_code == status, role
    settings_page = client_for(members["admin"].user).get(
        reverse("account_settings:index", kwargs={"slug": account.slug})
    )
    assert url("index", account).encode() in settings_page.content


def test_a_plan_below_standard_is_told_and_cannot_turn_it_on(client_for, members, account):
    account.plan = "essentials"
    account.save()
    client = client_for(members["owner"].user)
    page = client.get(url("index", account))
    assert b"part of the Standard and Premium plans" in page.content
    client.post(url("index", account), {"enabled": "on", "default_level": "admin"})
    assert not Provisioning.objects.filter(account=account, enabled=True).exists()
    client.post(url("token_create", account), {"name": "Okta"})
    assert not ScimToken.objects.exists()


def test_admin_turns_scim_on_with_a_default_level(client_for, members, account):
    client = client_for(members["admin"].user)
    response = client.post(url("index", account), {"enabled": "on", "default_level": "author"})
    assert response.status_code == 302
    provisioning = Provisioning.objects.get(account=account)
    assert provisioning.enabled and provisioning.default_level == "author"
    event = ActivityEvent.objects.filter(account=account).first()
    assert event.target_label == "SCIM provisioning" and "Author" in event.new_value
    page = client.get(url("index", account))
    assert b"http://testserver/scim/v2/" in page.content
    # Owner is never a default level.
    client.post(url("index", account), {"enabled": "on", "default_level": "owner"})
    assert Provisioning.objects.get(account=account).default_level == "author"


def test_a_token_is_shown_once_stored_as_a_hash_and_works(client_for, members, account):
    Provisioning.objects.create(account=account, enabled=True)
    client = client_for(members["admin"].user)
    response = client.post(url("token_create", account), {"name": "Okta"})
    assert response.status_code == 302
    token = ScimToken.objects.get()
    assert response["Location"] == url("token_secret", account, token_id=token.pk)
    shown = client.get(response["Location"])
    raw = token_on_page(shown)
    assert "no-store" in shown["Cache-Control"]
    assert raw.split("_")[2] not in token.secret_hash and token.prefix in raw
    again = client.get(response["Location"])
    assert raw.encode() not in again.content
    assert ScimClient(raw).get("Users").status_code == 200
    listing = client.get(url("index", account))
    assert b"Okta" in listing.content and raw.encode() not in listing.content


def test_creating_a_token_asks_for_reauthentication(client_for, members, account):
    client = client_for(members["admin"].user, stale=True)
    response = client.post(url("token_create", account), {"name": "Okta"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ScimToken.objects.exists()


def test_revoking_stops_the_token_at_once(client_for, members, account):
    Provisioning.objects.create(account=account, enabled=True)
    client = client_for(members["owner"].user)
    client.post(url("token_create", account), {"name": "Entra"})
    token = ScimToken.objects.get()
    raw = token_on_page(client.get(url("token_secret", account, token_id=token.pk)))
    assert client.get(url("token_revoke", account, token_id=token.pk)).status_code == 200
    client.post(url("token_revoke", account, token_id=token.pk))
    token.refresh_from_db()
    assert token.is_revoked
    assert ScimClient(raw).get("Users").status_code == 401
    assert ActivityEvent.objects.filter(action="scim.token_revoked").exists()


def test_another_accounts_token_is_404(client_for, members, account, other_account):
    from tests.factories import MembershipFactory

    other_admin = MembershipFactory(account=other_account, role="admin")
    Provisioning.objects.create(account=other_account, enabled=True)
    from scim import services

    token, _raw = services.create_token(account=other_account, name="X", actor=other_admin.user)
    client = client_for(members["owner"].user)
    assert client.get(url("token_revoke", account, token_id=token.pk)).status_code == 404
    assert client.post(url("token_revoke", account, token_id=token.pk)).status_code == 404
    token.refresh_from_db()
    assert not token.is_revoked

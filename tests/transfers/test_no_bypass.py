"""Neither the JSON API nor SCIM can move ownership around the acceptance: the API has no
transfer operation and will not set the Owner level; SCIM refuses the Owner group."""

import pytest

from memberships.models import Membership
from scim import services as scim_services
from scim.models import Provisioning
from tests.api.conftest import ApiClient
from tests.factories import ApiKeyFactory
from tests.scim.conftest import ScimClient, patch

pytestmark = pytest.mark.django_db


def roles(account):
    return dict(Membership.objects.filter(account=account).values_list("pk", "role"))


def test_no_api_operation_transfers_ownership_or_grants_the_owner_level(account, members):
    owner, admin = members["owner"], members["admin"]
    api = ApiClient(ApiKeyFactory(account=account, created_by=owner.user).raw_key)
    document = api.client.get("/api/v1/openapi.json").json()
    paths = " ".join(document["paths"]).lower()
    assert "transfer" not in paths and "owner" not in paths
    before = roles(account)
    response = api("PATCH", f"/members/{admin.pk}", {"level": "owner"})
    assert 400 <= response.status_code < 500
    response = api("PATCH", f"/members/{owner.pk}", {"level": "admin"})
    assert 400 <= response.status_code < 500
    assert roles(account) == before
    assert not account.ownership_transfers.exists()


def test_scim_cannot_put_anyone_in_the_owner_group(account, members):
    owner, admin = members["owner"], members["admin"]
    Provisioning.objects.create(account=account, enabled=True)
    _token, raw = scim_services.create_token(account=account, name="Okta", actor=owner.user)
    scim = ScimClient(raw)
    before = roles(account)
    add = patch({"op": "add", "path": "members", "value": [{"value": str(admin.pk)}]})
    assert scim.patch("Groups/owner", add).status_code == 403
    remove = patch({"op": "remove", "path": f'members[value eq "{owner.pk}"]'})
    assert scim.patch("Groups/owner", remove).status_code == 403
    assert roles(account) == before
    assert not account.ownership_transfers.exists()

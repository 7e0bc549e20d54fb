import json

import pytest
from django.test import Client

from scim import services
from scim.models import Provisioning
from tests.factories import AccountFactory, MembershipFactory

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimClient:
    """The identity provider's side: a bearer token and SCIM JSON bodies."""

    def __init__(self, raw_token: str):
        self.client = Client()
        self.raw_token = raw_token

    def request(self, method: str, path: str, body=None, *, raw: bytes | None = None, **extra):
        url = path if path.startswith("/") else f"/scim/v2/{path}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        headers = {"Authorization": f"Bearer {self.raw_token}"} if self.raw_token else {}
        kwargs = {"content_type": SCIM_JSON, "headers": headers, **extra}
        if data is not None:
            kwargs["data"] = data
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, path, **extra):
        return self.request("GET", path, **extra)

    def post(self, path, body=None, **extra):
        return self.request("POST", path, body, **extra)

    def put(self, path, body=None, **extra):
        return self.request("PUT", path, body, **extra)

    def patch(self, path, body=None, **extra):
        return self.request("PATCH", path, body, **extra)

    def delete(self, path, **extra):
        return self.request("DELETE", path, **extra)


@pytest.fixture
def scim_account(db):
    """A Premium account with SCIM on: its Owner and the Admin who made the token."""
    account = AccountFactory(plan="premium", name="Acme SCIM")
    owner = MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    Provisioning.objects.create(account=account, enabled=True)
    return account, owner, admin


@pytest.fixture
def make_token():
    def make(account, user, name="Okta"):
        token, raw = services.create_token(account=account, name=name, actor=user)
        return token, raw

    return make


@pytest.fixture
def scim(scim_account, make_token):
    account, _owner, admin = scim_account
    token, raw = make_token(account, admin.user)
    client = ScimClient(raw)
    client.token = token
    client.account = account
    return client


def new_user(email="alice@example.com", given="Alice", family="Smith", external_id="ext-1"):
    return {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "externalId": external_id,
        "active": True,
    }


def patch(*operations):
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}

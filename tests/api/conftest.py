import json

import pytest
from django.test import Client

from tests.factories import ApiKeyFactory


class ApiClient:
    """Calls /api/v1/ with `Authorization: Bearer <key>` (or none)."""

    def __init__(self, key: str | None):
        self.key = key
        self.client = Client()

    def __call__(self, method: str, path: str, body=None, *, key=..., **headers):
        key = self.key if key is ... else key
        if key is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs, **headers)


@pytest.fixture
def owner_key(members):
    return ApiKeyFactory(account=members["owner"].account, created_by=members["owner"].user)


@pytest.fixture
def admin_key(members):
    return ApiKeyFactory(account=members["admin"].account, created_by=members["admin"].user)


@pytest.fixture
def api_as():
    return lambda key: ApiClient(key.raw_key if hasattr(key, "raw_key") else key)

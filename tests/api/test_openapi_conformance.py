"""schemathesis against /api/v1/openapi.json on a live server, with a valid Bearer key:
no server error, no status code the document does not declare, no body that breaks it."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ApiKeyFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 15


def test_api_conforms_to_its_openapi_document(live_server, members, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 10_000  # exercise the endpoints, not the limiter
    settings.INVITATIONS_PER_ACCOUNT_PER_DAY = 10_000
    account = members["owner"].account
    for _ in range(3):
        MembershipFactory(account=account, role="viewer")
    key = ApiKeyFactory(account=account, created_by=members["owner"].user)
    headers = {"Authorization": f"Bearer {key.raw_key}"}

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    calls = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def exercise(case):
            response = case.call_and_validate(
                base_url=live_server.url, headers=headers, checks=CHECKS
            )
            calls.append((case.operation.label, response.status_code))

        exercise()

    statuses = {status for _, status in calls}
    assert not any(status >= 500 for status in statuses)
    # The key worked and the generator reached real handlers, not a wall of 401s or 422s.
    assert {200, 404} <= statuses, sorted(statuses)
    assert len(calls) >= len(operations) * 5

"""The API reference renders in a real browser under the CSP, with nothing blocked, and passes
the axe scan (our contrast overrides in static/api/docs.css, no deep links nested in buttons)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_reference_renders_without_csp_violations_or_outside_requests(page, live_server):
    problems, outside = [], []
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Roster API")).to_be_visible()
    expect(page.get_by_text("/api/v1/members").first).to_be_visible()
    assert outside == []
    assert_accessible(page)
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []

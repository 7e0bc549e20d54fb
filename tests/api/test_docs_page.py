"""/api/v1/docs: the interactive reference, served from our own static files under the CSP."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_docs_page_loads_only_local_static_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), asset
        assert asset.startswith(("/static/", "/api/v1/openapi.json")), asset
    # Each referenced static file exists in the project (collectstatic finds it).
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
    assert "http://" not in page and "https://" not in page


def test_docs_page_runs_no_inline_script_and_its_csp_allows_what_it_loads(client):
    response = client.get("/api/v1/docs")
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    page = response.content.decode()
    # Every <script> either loads a same-origin file or is a JSON data block (not executed).
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        if 'type="application/json"' in attrs:
            continue
        assert 'src="/static/' in attrs and not body.strip(), attrs
    assert "<style" not in page and " style=" not in page
    # The settings block turns off the validator badge (an image from validator.swagger.io).
    assert '"validatorUrl": null' in page

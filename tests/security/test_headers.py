"""Security headers on ordinary pages and no-store on pages that show secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.apikeys.test_views import recently_authenticated

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def test_pages_carry_csp_frame_and_referrer_headers(client_for, members, account):
    response = client_for(members["owner"].user).get(
        reverse("overview", kwargs={"slug": account.slug})
    )
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.get("Cache-Control", "")


def test_recovery_codes_and_totp_setup_are_no_store(client_for, members, enable_totp):
    user = members["viewer"].user
    client = recently_authenticated(client_for(user))
    assert "no-store" in client.get(reverse("mfa_activate_totp"))["Cache-Control"]
    enable_totp(user)
    for name in ["mfa_view_recovery_codes", "mfa_download_recovery_codes"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name


def test_api_answers_are_json_with_the_same_headers(client):
    response = client.get("/api/v1/members")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Frame-Options"] == "DENY"


def test_check_deploy_is_clean_in_production_settings():
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "ci-" + "k3y-" * 16,
        "ALLOWED_HOSTS": "roster.example.com",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
    }
    # Set by the test run itself (tests/browser/conftest.py), never in production.
    for name in ["ROSTER_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL"]:
        env.pop(name, None)
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/roster"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

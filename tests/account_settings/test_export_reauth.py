"""The export hands over every member's email: it asks for the password again, as revoke does."""

import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from audit.models import ActivityEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def export_url(account) -> str:
    return reverse("account_settings:export", kwargs={"slug": account.slug})


def assert_is_export(response, account):
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{account.slug}-export-' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "members.csv" in archive.namelist()


def exports(account) -> int:
    return ActivityEvent.objects.filter(account=account, action="account.exported").count()


def test_stale_login_is_asked_to_reauthenticate_then_gets_the_export(client_for, members):
    account = members["owner"].account
    client = client_for(members["owner"].user, stale=True)  # logged in an hour ago

    # The page that explains the export opens; the download asks for the password first.
    assert client.get(export_url(account)).status_code == 200
    response = client.post(export_url(account))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert exports(account) == 0

    # Re-entering the password resumes the suspended download.
    response = client.post(response["Location"], {"password": TEST_PASSWORD})
    assert_is_export(response, account)
    assert exports(account) == 1


def test_wrong_password_at_reauthentication_gives_no_export(client_for, members):
    account = members["admin"].account
    client = client_for(members["admin"].user, stale=True)
    reauthenticate = client.post(export_url(account))["Location"]
    response = client.post(reauthenticate, {"password": "Not-the-password-1!"})
    assert response.status_code == 200
    assert not isinstance(response, StreamingHttpResponse)
    assert exports(account) == 0


def test_fresh_login_gets_the_export_directly(client_for, members):
    account = members["owner"].account
    assert_is_export(client_for(members["owner"].user).post(export_url(account)), account)
    assert exports(account) == 1


def test_member_without_the_permission_gets_403_not_a_password_prompt(client_for, members):
    account = members["manager"].account
    response = client_for(members["manager"].user, stale=True).post(export_url(account))
    assert response.status_code == 403
    assert exports(account) == 0

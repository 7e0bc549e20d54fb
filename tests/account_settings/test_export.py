"""The export: a streamed ZIP whose CSVs parse and hold no secret."""

import csv
import io
import zipfile

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from accounts.models import User
from audit.models import ActivityEvent
from memberships.models import Membership
from tests.factories import ActivityEventFactory, ApiKeyFactory, InvoiceFactory, MembershipFactory

pytestmark = pytest.mark.django_db

FILES = [
    "members.csv",
    "pending_invitations.csv",
    "api_keys.csv",
    "invoices.csv",
    "activity_log.csv",
]


def download(client, account):
    response = client.post(reverse("account_settings:export", kwargs={"slug": account.slug}))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{account.slug}-export-' in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def read(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_export_zip_opens_and_every_csv_parses(client_for, members, make_invitation, role):
    account = members["owner"].account
    admin = members["admin"].user
    invitation = make_invitation(account, "new@example.test", role="author", invited_by=admin)
    invitation.token_hash = "a" * 64
    invitation.save()
    key = ApiKeyFactory(account=account, created_by=admin, name="Zapier")
    InvoiceFactory(account=account, sequence=1)
    ActivityEventFactory(account=account, actor=admin, target_label="x@example.test")

    data = download(client_for(members[role].user), account)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == FILES

    member_rows = read(archive, "members.csv")
    assert {r["email"] for r in member_rows} == {m.user.email for m in members.values()}
    assert list(member_rows[0]) == ["name", "email", "level", "status", "joined", "last_login"]
    assert {r["level"] for r in member_rows} == {"Owner", "Admin", "Manager", "Author", "Viewer"}

    [invitation_row] = read(archive, "pending_invitations.csv")
    assert invitation_row["email"] == "new@example.test"
    assert invitation_row["level"] == "Author"
    assert invitation_row["invited_by"] == admin.email

    [key_row] = read(archive, "api_keys.csv")
    assert (key_row["name"], key_row["created_by"]) == ("Zapier", admin.email)
    assert key.prefix in key_row["prefix"]
    assert key_row["last_used"] == ""

    [invoice_row] = read(archive, "invoices.csv")
    assert invoice_row["amount"] == "20.00"

    activity = read(archive, "activity_log.csv")
    assert any(r["target"] == "x@example.test" for r in activity)

    # No secret anywhere in the archive.
    everything = b"".join(archive.read(name) for name in FILES).decode()
    secrets = [m.user.password for m in members.values()]
    secrets += [key.secret_hash, key.raw_key, key.raw_key.split("_", 2)[-1], invitation.token_hash]
    for secret in secrets:
        assert secret and secret not in everything


def test_export_is_recorded_in_the_activity_log(client_for, members):
    account = members["owner"].account
    download(client_for(members["admin"].user), account)
    event = ActivityEvent.objects.get(account=account, action="account.exported")
    assert event.actor == members["admin"].user


def test_export_escapes_spreadsheet_formulas(client_for, members):
    account = members["owner"].account
    evil = MembershipFactory(account=account, role="viewer", user__first_name="=HYPERLINK(1)")
    archive = zipfile.ZipFile(io.BytesIO(download(client_for(members["owner"].user), account)))
    row = next(r for r in read(archive, "members.csv") if r["email"] == evil.user.email)
    assert row["name"].startswith("'=HYPERLINK(1)")


def test_export_streams_many_rows_in_several_chunks(client_for, members, monkeypatch):
    monkeypatch.setattr("account_settings.export.CHUNK_ROWS", 50)
    account = members["owner"].account
    users = User.objects.bulk_create(
        [User(email=f"bulk{i}@example.test", first_name=f"Person {i}") for i in range(1000)]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, account=account, role="viewer") for u in users]
    )
    response = client_for(members["owner"].user).post(
        reverse("account_settings:export", kwargs={"slug": account.slug})
    )
    chunks = list(response.streaming_content)
    assert len(chunks) > len(FILES)  # the members file alone arrives in several pieces
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert len(read(archive, "members.csv")) == 1005


def test_export_page_explains_what_is_in_it(client_for, members):
    account = members["owner"].account
    page = client_for(members["owner"].user).get(
        reverse("account_settings:export", kwargs={"slug": account.slug})
    )
    assert "never included" in page.content.decode()
    assert not ActivityEvent.objects.filter(account=account).exists()  # GET logs nothing


def test_export_queries_do_not_grow_with_members(client_for, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = members["owner"].account
    client = client_for(members["owner"].user)
    download(client, account)  # warm-up: the first request also writes the session records
    counts = []
    for more in (0, 40):
        for _ in range(more):
            MembershipFactory(account=account, role="viewer")
        with CaptureQueriesContext(connection) as queries:
            download(client, account)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

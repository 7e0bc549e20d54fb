"""The activity log page and its CSV export: people named with their emails, one row per
event, a date range in the viewer's time zone, and the current filter as CSV."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import ActivityEvent
from invitations.services import accept_invitation
from tests.factories import ActivityEventFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def page_url(account):
    return reverse("audit:activity", kwargs={"slug": account.slug})


def export_url(account):
    return reverse("audit:activity_export", kwargs={"slug": account.slug})


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def at(year, month, day, hour=12, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def named_events(account, count, batch):
    """`count` events, each by and to a different named person."""
    for i in range(count):
        actor = UserFactory(
            first_name="Actor", last_name=f"{batch}{i}", email=f"a{batch}{i}@x.test"
        )
        target = UserFactory(
            first_name="Target", last_name=f"{batch}{i}", email=f"t{batch}{i}@x.test"
        )
        ActivityEventFactory(
            account=account, actor=actor, target_user=target, target_label=target.email
        )


# --- (a) names with emails, without a query per row ----------------------------------------


def test_actor_and_target_are_named_with_their_emails(client_for, account, members):
    actor = UserFactory(first_name="Alice", last_name="Ext", email="alice@example.com")
    target = UserFactory(first_name="Bob", last_name="Viewer", email="bob@example.com")
    ActivityEventFactory(
        account=account, actor=actor, target_user=target, target_label=target.email
    )
    body = client_for(members["admin"].user).get(page_url(account)).content.decode()
    assert 'Alice Ext <span class="small text-body-secondary">alice@example.com</span>' in body
    assert 'Bob Viewer <span class="small text-body-secondary">bob@example.com</span>' in body


def test_a_person_without_a_name_is_shown_by_email_and_a_job_as_system(
    client_for, account, members
):
    nameless = UserFactory(first_name="", last_name="", email="nameless@example.com")
    ActivityEventFactory(account=account, actor=nameless, target_label="Key one")
    ActivityEventFactory(account=account, actor=None, target_label="late@example.com")
    body = client_for(members["admin"].user).get(page_url(account)).content.decode()
    assert "<td>nameless@example.com</td>" in body
    assert "<td>Key one</td>" in body
    assert "<td>system</td>" in body


@pytest.mark.parametrize("size", [3, 40])
def test_activity_page_query_count_does_not_grow_with_rows(client_for, account, members, size):
    client = client_for(members["admin"].user)
    client.get(page_url(account))  # warm the session
    named_events(account, 3, "s")
    with CaptureQueriesContext(connection) as small:
        assert client.get(page_url(account)).status_code == 200
    named_events(account, size, "l")
    with CaptureQueriesContext(connection) as large:
        body = client.get(page_url(account)).content.decode()
    assert len(large) == len(small) <= 10
    assert f"Actor l{size - 1}" in body and f"tl{size - 1}@x.test" in body


# --- (b) one row per event -----------------------------------------------------------------


def test_accepting_an_invitation_writes_one_activity_row(
    account, members, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(account=account, role="author")
    user = UserFactory(email=invitation.email)
    with django_capture_on_commit_callbacks(execute=True):
        accept_invitation(token_hash=invitation.token_hash, user=user, actor=user)
    rows = list(
        ActivityEvent.objects.filter(account=account).values_list(
            "action", "target_user", "target_label", "new_value"
        )
    )
    assert rows == [("invitation.accepted", user.pk, invitation.email, "Author")]


# --- (c) a date range in the viewer's time zone --------------------------------------------


def test_date_range_is_whole_days_in_the_viewers_time_zone(client_for, account, members):
    viewer = members["admin"].user
    viewer.time_zone = "Asia/Tokyo"
    viewer.save(update_fields=["time_zone"])
    # 1 March 16:00 UTC is 2 March 01:00 in Tokyo; 2 March 14:59 UTC is 23:59 there.
    ActivityEventFactory(
        account=account, created_at=at(2026, 3, 1, 16), target_label="early@x.test"
    )
    ActivityEventFactory(
        account=account, created_at=at(2026, 3, 2, 14, 59), target_label="late@x.test"
    )
    ActivityEventFactory(account=account, created_at=at(2026, 3, 2, 15), target_label="next@x.test")
    ActivityEventFactory(
        account=account, created_at=at(2026, 3, 1, 14), target_label="before@x.test"
    )
    client = client_for(viewer)
    body = client.get(
        page_url(account), {"date_from": "2026-03-02", "date_to": "2026-03-02"}
    ).content.decode()
    assert "early@x.test" in body and "late@x.test" in body
    assert "next@x.test" not in body and "before@x.test" not in body
    only_from = client.get(page_url(account), {"date_from": "2026-03-03"}).content.decode()
    assert "next@x.test" in only_from and "late@x.test" not in only_from
    only_to = client.get(page_url(account), {"date_to": "2026-03-01"}).content.decode()
    assert "before@x.test" in only_to and "early@x.test" not in only_to


def test_date_range_end_before_start_is_an_error_next_to_the_field(client_for, account, members):
    ActivityEventFactory(account=account, target_label="any@x.test")
    response = client_for(members["admin"].user).get(
        page_url(account), {"date_from": "2026-03-05", "date_to": "2026-03-01"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_date_to" value="2026-03-01" aria-invalid="true"' in body
    assert 'aria-describedby="id_date_to_error"' in body
    assert (
        '<div class="invalid-feedback" id="id_date_to_error">'
        "The end date must be on or after the start date.</div>"
    ) in body
    assert "any@x.test" not in body  # nothing listed under a filter that does not hold
    assert response.context["filter_form"].errors["date_to"]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "1" * 300, "\x00"],
)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
def test_garbage_dates_are_field_errors_never_a_500(client_for, account, members, field, value):
    user = members["admin"].user
    user.time_zone = "Pacific/Kiritimati"  # UTC+14: the day's start before year 1 would overflow
    user.save(update_fields=["time_zone"])
    client = client_for(user)
    response = client.get(page_url(account), {field: value})
    assert response.status_code == 200
    assert response.context["filter_form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert client.get(export_url(account), {field: value}).status_code == 400


# --- (d) CSV export of the current filter --------------------------------------------------


def test_export_is_linked_from_the_page_with_the_current_filter(client_for, account, members):
    body = (
        client_for(members["admin"].user)
        .get(
            page_url(account),
            {"action": "member.suspended", "date_from": "2026-03-01", "page": "2"},
        )
        .content.decode()
    )
    assert f'href="{export_url(account)}?action=member.suspended&amp;date_from=2026-03-01"' in body


def test_export_streams_the_current_filter_named_and_in_the_viewers_time_zone(
    client_for, account, members
):
    viewer = members["admin"].user
    viewer.time_zone = "Europe/Madrid"
    viewer.save(update_fields=["time_zone"])
    actor = UserFactory(first_name="Alice", last_name="Ext", email="alice@example.com")
    target = UserFactory(first_name="Bob", last_name="Viewer", email="bob@example.com")
    ActivityEventFactory(
        account=account,
        actor=actor,
        action="member.level_changed",
        target_user=target,
        target_label=target.email,
        old_value="Viewer",
        new_value="Admin",
        created_at=at(2026, 3, 2, 23, 30),  # 3 March 00:30 in Madrid
    )
    ActivityEventFactory(account=account, action="member.suspended", created_at=at(2026, 3, 2))
    ActivityEventFactory(action="member.level_changed")  # another account's
    response = client_for(viewer).get(
        export_url(account), {"action": "member.level_changed", "date_from": "2026-03-03"}
    )
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="activity-{account.slug}-'
    )
    header, *rows = rows_of(response)
    assert header[:2] == ["when", "actor_name"]
    assert rows == [
        [
            "2026-03-03T00:30:00+01:00",
            "Alice Ext",
            "alice@example.com",
            "",
            "member.level_changed",
            "Level changed",
            "Bob Viewer",
            "bob@example.com",
            "Viewer",
            "Admin",
            "",
        ]
    ]


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_export_defuses_spreadsheet_formulas(client_for, account, members, dangerous):
    actor = UserFactory(first_name=dangerous, last_name="", email="formula@example.com")
    ActivityEventFactory(account=account, actor=actor, target_label=dangerous, new_value=dangerous)
    header, row = rows_of(client_for(members["admin"].user).get(export_url(account)))
    values = dict(zip(header, row, strict=True))
    for column in ("actor_name", "target", "new_value"):
        assert values[column] == "'" + dangerous
    assert values["actor_email"] == "formula@example.com"


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_export_needs_the_activity_permission(client_for, account, members, role):
    ActivityEventFactory(account=account, target_label="secret@x.test")
    response = client_for(members[role].user).get(export_url(account))
    assert response.status_code == 403
    assert b"secret@x.test" not in response.content


def test_export_of_another_account_is_not_found(client_for, account, members, other_account):
    ActivityEventFactory(account=other_account, target_label="theirs@x.test")
    response = client_for(members["owner"].user).get(export_url(other_account))
    assert response.status_code == 404

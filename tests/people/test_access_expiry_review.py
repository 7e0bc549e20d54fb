"""Expiring access, as the review of issue 20 found it: the end date holds at the gate the
moment it passes (not an hour later when the job runs), the job's suspension is told apart
from an Admin's, and reminders go only to a setter who still manages the account."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from memberships import access
from memberships.access import Refusal
from memberships.exceptions import AccessDenied
from memberships.models import Membership
from people import services
from people.services import expire_access
from tests.api.conftest import ApiClient
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _set(member, by, until):
    return services.set_access_until(
        account=member.account, membership_id=member.pk, access_until=until, actor=by.user
    )


def run_job(capture):
    with capture(execute=True):
        return expire_access(actor=None)


# --- Finding 1: the gate refuses as soon as the date passes --------------------------------


def test_the_gate_refuses_once_access_ends_before_the_job_runs(members, clock):
    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    assert access.decide(author.user, author.account).granted
    clock.shift(datetime.timedelta(hours=1, seconds=1))
    assert Membership.objects.get(pk=author.pk).status == "active"  # the job has not run
    assert access.decide(author.user, author.account).refusal == Refusal.SUSPENDED
    with pytest.raises(AccessDenied) as denied:
        access.require(author.user, author.account)
    assert denied.value.refusal == Refusal.SUSPENDED
    assert f"Your access to {author.account.name} ended on 1 Dec 2026" in str(denied.value)


def test_the_page_refuses_once_access_ends_before_the_job_runs(members, client_for, clock):
    author = members["author"]
    client = client_for(author.user)
    overview = reverse("overview", kwargs={"slug": author.account.slug})
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    assert client.get(overview).status_code == 200
    clock.shift(datetime.timedelta(hours=2))
    response = client.get(overview)
    assert response.status_code == 403
    page = response.content.decode()
    # Not "suspended, ask to reactivate": the date passed, so extending it is what helps.
    assert f"Your access to {author.account.name} has ended" in page
    assert "Your access ended on " in page and "to extend it" in page
    assert "is suspended" not in page


def test_the_api_key_stops_once_access_ends_before_the_job_runs(members, clock):
    admin = members["admin"]
    key = ApiKeyFactory(account=admin.account, created_by=admin.user)
    api = ApiClient(key.raw_key)
    _set(admin, members["owner"], START + datetime.timedelta(hours=1))
    assert api("GET", "/members").status_code == 200
    clock.shift(datetime.timedelta(hours=2))
    response = api("GET", "/members")
    assert response.status_code == 401
    assert response.json()["code"] == "creator_inactive"


def test_a_member_whose_access_ended_cannot_act_through_a_service(members, clock):
    admin = members["admin"]
    _set(admin, members["owner"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    with pytest.raises(AccessDenied):
        services.suspend_member(
            account=admin.account, membership_id=members["viewer"].pk, actor=admin.user
        )
    assert Membership.objects.get(pk=members["viewer"].pk).status == "active"


def test_the_account_login_page_says_when_access_ended(members, client, clock):
    from tests.factories import TEST_PASSWORD

    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    url = reverse("account_specific_login", kwargs={"slug": author.account.slug})
    response = client.post(url, {"login": author.user.email, "password": TEST_PASSWORD})
    assert f"Your access to {author.account.name} ended on 1 Dec 2026." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_an_owner_with_a_past_end_date_is_still_let_in(members, clock):
    owner = members["owner"]
    Membership.objects.filter(pk=owner.pk).update(access_until=START - datetime.timedelta(days=1))
    assert access.decide(owner.user, owner.account).granted


# --- Finding 2: moving the date reactivates only the job's suspension ---------------------


def test_moving_the_date_does_not_reactivate_a_member_suspended_by_hand(
    members, clock, django_capture_on_commit_callbacks
):
    author, admin = members["author"], members["admin"]
    _set(author, admin, START + datetime.timedelta(hours=1))
    services.suspend_member(account=author.account, membership_id=author.pk, actor=admin.user)
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    _set(author, admin, START + datetime.timedelta(days=10))
    author.refresh_from_db()
    assert author.status == "suspended"
    assert not author.suspended_by_expiry
    assert not access.decide(author.user, author.account).granted


def test_moving_the_date_reactivates_the_jobs_suspension_only(
    members, clock, django_capture_on_commit_callbacks
):
    author, admin = members["author"], members["admin"]
    _set(author, admin, START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    author.refresh_from_db()
    assert author.status == "suspended" and author.suspended_by_expiry
    _set(author, admin, START + datetime.timedelta(days=10))
    author.refresh_from_db()
    assert author.status == "active" and not author.suspended_by_expiry


def test_suspending_by_hand_after_the_job_makes_it_a_manual_suspension(
    members, clock, django_capture_on_commit_callbacks
):
    author, admin = members["author"], members["admin"]
    _set(author, admin, START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    services.reactivate_member(account=author.account, membership_id=author.pk, actor=admin.user)
    author.refresh_from_db()
    assert author.status == "active" and not author.suspended_by_expiry
    services.suspend_member(account=author.account, membership_id=author.pk, actor=admin.user)
    _set(author, admin, START + datetime.timedelta(days=10))
    author.refresh_from_db()
    assert author.status == "suspended"


# --- Finding 3: reminders go to the setter only while they manage the account -------------


def _remind(members, clock, capture, mailoutbox, change_setter):
    author, admin = members["author"], members["admin"]
    _set(author, admin, START + datetime.timedelta(days=3))
    change_setter(admin)
    mailoutbox.clear()
    assert run_job(capture).reminded == 1
    return sorted(m.to[0] for m in mailoutbox)


def test_a_setter_who_still_manages_the_account_is_reminded(
    members, clock, mailoutbox, django_capture_on_commit_callbacks
):
    to = _remind(members, clock, django_capture_on_commit_callbacks, mailoutbox, lambda admin: None)
    assert to == sorted([members["author"].user.email, members["admin"].user.email])


@pytest.mark.parametrize("change", ["revoked", "demoted", "suspended", "left"])
def test_a_setter_who_no_longer_manages_the_account_is_not_reminded(
    members, clock, mailoutbox, django_capture_on_commit_callbacks, change
):
    owner = members["owner"]

    def change_setter(admin):
        kwargs = {"account": admin.account, "membership_id": admin.pk, "actor": owner.user}
        if change == "left":
            from tests.factories import MembershipFactory

            MembershipFactory(user=admin.user)  # another account: their login stays
            services.leave_account(account=admin.account, actor=admin.user)
        elif change == "revoked":
            services.revoke_member(**kwargs)
        elif change == "demoted":
            services.change_level(level="viewer", **kwargs)
        else:
            services.suspend_member(**kwargs)

    to = _remind(members, clock, django_capture_on_commit_callbacks, mailoutbox, change_setter)
    assert to == [members["author"].user.email]


# --- Finding 5: saving the page unchanged in another time zone moves nothing ---------------


def _edit_url(member):
    return reverse(
        "people:access_until", kwargs={"slug": member.account.slug, "member_id": member.pk}
    )


def test_saving_the_date_unchanged_in_another_time_zone_changes_nothing(
    members, client_for, clock, mailoutbox, django_capture_on_commit_callbacks
):
    from audit.models import ActivityEvent

    admin, owner, author = members["admin"], members["owner"], members["author"]
    admin.user.time_zone = "America/New_York"
    admin.user.save()
    owner.user.time_zone = "Asia/Tokyo"
    owner.user.save()
    assert (
        client_for(admin.user).post(_edit_url(author), {"access_until": "2026-12-20"}).status_code
        == 302
    )
    until = Membership.objects.get(pk=author.pk).access_until
    rows = ActivityEvent.objects.count()
    mailoutbox.clear()
    tokyo = client_for(owner.user)
    page = tokyo.get(_edit_url(author))
    assert b'value="2026-12-21"' in page.content  # 20 Dec 23:59 in New York
    with django_capture_on_commit_callbacks(execute=True):
        response = tokyo.post(_edit_url(author), {"access_until": "2026-12-21"})
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.access_until == until
    assert author.access_until_set_by == admin.user
    assert ActivityEvent.objects.count() == rows
    assert mailoutbox == []


def test_a_new_date_from_another_time_zone_is_the_end_of_that_day_there(members, client_for, clock):
    import zoneinfo

    owner, author = members["owner"], members["author"]
    _set(author, members["admin"], START + datetime.timedelta(days=5))
    owner.user.time_zone = "Asia/Tokyo"
    owner.user.save()
    client_for(owner.user).post(_edit_url(author), {"access_until": "2026-12-22"})
    author.refresh_from_db()
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert author.access_until == datetime.datetime(2026, 12, 22, 23, 59, 59, tzinfo=tokyo)


# --- One failing account does not stop the job, nor one failing job the others -----------


@pytest.fixture
def broken_account():
    """Make every membership update in one account fail in the database (a real error from
    a trigger, as a corrupt row or a lock timeout would raise), then undo it."""
    from django.db import connection

    table = Membership._meta.db_table

    def make(account):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    f"CREATE TRIGGER f20_broken BEFORE UPDATE ON {table} "
                    f"WHEN NEW.account_id = {account.pk} "
                    "BEGIN SELECT RAISE(ABORT, 'broken account'); END"
                )
            else:
                cursor.execute(
                    "CREATE FUNCTION f20_broken() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'broken account'; END $$ LANGUAGE plpgsql"
                )
                cursor.execute(
                    f"CREATE TRIGGER f20_broken BEFORE UPDATE ON {table} FOR EACH ROW "
                    f"WHEN (NEW.account_id = {account.pk}) EXECUTE FUNCTION f20_broken()"
                )

    yield make
    # The test's transaction is rolled back, and the trigger with it.


def _expiring_pair(clock):
    from tests.factories import AccountFactory, MembershipFactory

    pair = []
    for _ in range(2):
        account = AccountFactory(plan="premium")
        owner = MembershipFactory(account=account, role="owner")
        member = MembershipFactory(account=account, role="author")
        services.set_access_until(
            account=account,
            membership_id=member.pk,
            access_until=START + datetime.timedelta(hours=1),
            actor=owner.user,
        )
        pair.append(member)
    clock.shift(datetime.timedelta(hours=2))
    return pair


def test_one_failing_account_does_not_stop_the_expiry_of_the_others(
    clock, broken_account, django_capture_on_commit_callbacks, caplog
):
    first, second = _expiring_pair(clock)
    broken_account(first.account)
    run = run_job(django_capture_on_commit_callbacks)
    assert run.failed == (first.account.pk,) and run.suspended == 1
    assert Membership.objects.get(pk=first.pk).status == "active"  # rolled back alone
    assert Membership.objects.get(pk=second.pk).status == "suspended"
    assert f"expire_access failed for account {first.account.pk}" in caplog.text


def test_the_scheduled_jobs_all_run_when_one_fails_and_the_command_fails_at_the_end(
    clock, broken_account, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from people.management.commands.run_scheduled_jobs import JOBS

    first, second = _expiring_pair(clock)
    broken_account(first.account)
    out, err = StringIO(), StringIO()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="1 job\\(s\\) failed: expire_access"),
    ):
        call_command("run_scheduled_jobs", "--once", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert [line.split("] ")[1].split(":")[0] for line in lines] == list(JOBS)  # all ran
    assert "1 membership(s) suspended. Failed (see the errors)." in lines[3]
    assert "expire_access failed" in err.getvalue()
    assert Membership.objects.get(pk=second.pk).status == "suspended"


# --- "Access until" in the CSV export and the API ------------------------------------------


def test_the_csv_export_and_the_api_show_access_until(members, client_for, clock):
    import csv
    import io

    admin, author = members["admin"], members["author"]
    admin.user.time_zone = "Asia/Tokyo"
    admin.user.save()
    _set(author, members["owner"], datetime.datetime(2026, 12, 20, 20, 0, tzinfo=datetime.UTC))
    response = client_for(admin.user).get(
        reverse("people:users_export", kwargs={"slug": author.account.slug})
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][-1] == "Access until"
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email[author.user.email][-1] == "2026-12-21"  # 21 Dec 05:00 in Tokyo
    assert by_email[admin.user.email][-1] == ""
    key = ApiKeyFactory(account=admin.account, created_by=admin.user)
    body = ApiClient(key.raw_key)("GET", f"/members/{author.pk}").json()
    assert body["access_until"].startswith("2026-12-20T20:00:00")
    assert ApiClient(key.raw_key)("GET", f"/members/{admin.pk}").json()["access_until"] is None


def test_users_page_says_ended_once_the_date_passed_before_the_job_runs(members, client_for, clock):
    """The gate already refuses them; the row must not read as a plain "Active"."""
    import re

    author, manager = members["author"], members["manager"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    _set(manager, members["admin"], START + datetime.timedelta(days=3))
    clock.shift(datetime.timedelta(hours=2))
    client = client_for(members["admin"].user)
    page = client.get(
        reverse("people:users", kwargs={"slug": author.account.slug})
    ).content.decode()

    def row(member):
        found = re.search(
            rf"<tr[^>]*data-member=\"{re.escape(member.user.email)}\".*?</tr>", page, re.S
        )
        assert found, member.user.email
        return found.group(0)

    assert "Ended" in row(author) and "Ends soon" not in row(author)
    assert "Ends soon" in row(manager) and "Ended" not in row(manager)

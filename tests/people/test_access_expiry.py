"""Expiring access (issue 20, item 1): "access until" set by an Owner or Admin, the 7- and
1-day reminders, suspension when it passes, and everything an expiring member keeps or loses."""

import datetime
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import ActivityEvent
from invitations.models import Invitation
from memberships.models import Membership
from people import services
from people.services import ACCESS_EXPIRY_LABEL, expire_access
from tests.api.conftest import ApiClient
from tests.factories import (
    AccountFactory,
    ApiKeyFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)
from tests.invitations.conftest import token_from

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def _edit_url(member):
    return reverse(
        "people:access_until", kwargs={"slug": member.account.slug, "member_id": member.pk}
    )


def _set(member, by, until):
    return services.set_access_until(
        account=member.account, membership_id=member.pk, access_until=until, actor=by.user
    )


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def run_job(capture):
    with capture(execute=True):
        return expire_access(actor=None)


# --- Setting it ---------------------------------------------------------------------------


def test_admin_sets_access_until_as_the_end_of_that_day_in_their_time_zone(
    members, client_for, clock
):
    admin = members["admin"]
    admin.user.time_zone = "America/New_York"
    admin.user.save()
    response = client_for(admin.user).post(
        _edit_url(members["author"]), {"access_until": "2026-12-20"}
    )
    assert response.status_code == 302
    author = Membership.objects.get(pk=members["author"].pk)
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert author.access_until == datetime.datetime(2026, 12, 20, 23, 59, 59, tzinfo=new_york)
    assert author.access_until_set_by == admin.user
    row = ActivityEvent.objects.get(target_user=author.user)
    assert row.actor == admin.user and "20 Dec 2026, 23:59 EST" in row.new_value


def test_the_edit_page_shows_the_date_in_the_viewers_time_zone(members, client_for, clock):
    _set(members["author"], members["admin"], START + datetime.timedelta(days=3))
    response = client_for(members["owner"].user).get(_edit_url(members["author"]))
    assert response.status_code == 200
    assert b'value="2026-12-04"' in response.content


@pytest.mark.parametrize("day", ["2027-12-02", "2028-01-01"])
def test_more_than_a_year_ahead_is_refused_next_to_the_field(members, client_for, clock, day):
    response = client_for(members["admin"].user).post(
        _edit_url(members["author"]), {"access_until": day}
    )
    assert response.status_code == 200
    assert "at most one year ahead" in response.context["form"].errors["access_until"][0]
    assert Membership.objects.get(pk=members["author"].pk).access_until is None


def test_exactly_a_year_ahead_is_allowed_and_the_past_is_not(members, client_for, clock):
    client = client_for(members["admin"].user)
    response = client.post(_edit_url(members["author"]), {"access_until": "2026-11-30"})
    assert response.context["form"].errors["access_until"] == ["Choose today or a later date."]
    assert (
        client.post(_edit_url(members["author"]), {"access_until": "2027-12-01"}).status_code == 302
    )


def test_the_service_refuses_more_than_a_year_too(members, clock):
    from memberships.exceptions import InvalidAccessUntil

    with pytest.raises(InvalidAccessUntil):
        _set(members["author"], members["admin"], START + datetime.timedelta(days=400))
    with pytest.raises(InvalidAccessUntil):
        _set(members["author"], members["admin"], START - datetime.timedelta(hours=1))
    assert Membership.objects.get(pk=members["author"].pk).access_until is None


def test_a_member_cannot_set_their_own_expiry(members, client_for, clock):
    admin = members["admin"]
    response = client_for(admin.user).post(_edit_url(admin), {"access_until": "2026-12-20"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=admin.pk).access_until is None


def test_a_viewer_cannot_set_anyones_expiry(members, client_for, clock):
    response = client_for(members["viewer"].user).post(
        _edit_url(members["author"]), {"access_until": "2026-12-20"}
    )
    assert response.status_code == 403
    assert Membership.objects.get(pk=members["author"].pk).access_until is None


def test_the_owner_has_no_expiry(members, client_for, clock):
    from memberships.exceptions import CannotChangeOwner

    response = client_for(members["admin"].user).post(
        _edit_url(members["owner"]), {"access_until": "2026-12-20"}
    )
    assert response.status_code == 403
    with pytest.raises(CannotChangeOwner):
        _set(members["owner"], members["admin"], START + datetime.timedelta(days=3))
    assert Membership.objects.get(pk=members["owner"].pk).access_until is None


def test_another_accounts_member_is_a_404(members, other_account, client_for, clock):
    stranger = Membership.objects.filter(account=other_account, role="admin").get()
    url = reverse(
        "people:access_until",
        kwargs={"slug": members["admin"].account.slug, "member_id": stranger.pk},
    )
    response = client_for(members["admin"].user).post(url, {"access_until": "2026-12-20"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=stranger.pk).access_until is None


def test_clearing_the_date_removes_it(members, client_for, clock):
    _set(members["author"], members["admin"], START + datetime.timedelta(days=3))
    response = client_for(members["admin"].user).post(
        _edit_url(members["author"]), {"access_until": ""}
    )
    assert response.status_code == 302
    author = Membership.objects.get(pk=members["author"].pk)
    assert author.access_until is None and author.access_until_set_by is None


def test_the_member_sees_it_on_their_overview(members, client_for, clock):
    _set(members["author"], members["admin"], START + datetime.timedelta(days=3))
    response = client_for(members["author"].user).get(
        reverse("overview", kwargs={"slug": members["author"].account.slug})
    )
    assert b'data-testid="access-until"' in response.content
    assert b"4 Dec 2026" in response.content


# --- The job --------------------------------------------------------------------------------


def test_reminders_go_7_days_and_1_day_before_each_once_to_member_and_setter(
    members, clock, mailoutbox, django_capture_on_commit_callbacks
):
    author, admin = members["author"], members["admin"]
    _set(author, admin, START + datetime.timedelta(days=10))
    mailoutbox.clear()
    assert run_job(django_capture_on_commit_callbacks).reminded == 0  # 10 days out
    clock.shift(datetime.timedelta(days=3, hours=1))  # 6 days 23 hours left
    assert run_job(django_capture_on_commit_callbacks).reminded == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([author.user.email, admin.user.email])
    assert all("11 Dec 2026" in m.subject for m in mailoutbox)
    assert all(m.alternatives for m in mailoutbox)  # an HTML part too
    run_job(django_capture_on_commit_callbacks)
    clock.shift(datetime.timedelta(days=2))
    run_job(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2  # the 7-day reminder went once
    clock.shift(datetime.timedelta(days=4, hours=1))  # 22 hours left
    assert run_job(django_capture_on_commit_callbacks).reminded == 1
    assert run_job(django_capture_on_commit_callbacks).reminded == 0
    assert len(mailoutbox) == 4
    assert "within a day" in mailoutbox[-1].body


def test_a_date_set_inside_a_day_gets_only_the_1_day_reminder(
    members, clock, mailoutbox, django_capture_on_commit_callbacks
):
    _set(members["author"], members["admin"], START + datetime.timedelta(hours=10))
    mailoutbox.clear()
    run_job(django_capture_on_commit_callbacks)
    run_job(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    assert all("within a day" in m.body for m in mailoutbox)


def test_the_job_suspends_when_access_ends_and_logs_why_once(
    members, clock, mailoutbox, django_capture_on_commit_callbacks
):
    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=2))
    clock.shift(datetime.timedelta(hours=3))
    assert run_job(django_capture_on_commit_callbacks).suspended == 1
    assert run_job(django_capture_on_commit_callbacks).suspended == 0
    author.refresh_from_db()
    assert author.status == "suspended"  # suspended, not deleted
    rows = ActivityEvent.objects.filter(target_user=author.user, action="member.suspended")
    assert rows.count() == 1
    row = rows.get()
    assert row.actor is None and row.actor_label == ACCESS_EXPIRY_LABEL
    assert "access until" in row.new_value and "passed" in row.new_value
    assert mailoutbox[-1].to == [author.user.email]
    assert "has ended" in mailoutbox[-1].subject


def test_the_job_never_touches_other_members_or_the_owner(
    members, clock, django_capture_on_commit_callbacks
):
    owner = members["owner"]
    # An Owner with an end date (say, from before a transfer) is still never suspended.
    Membership.objects.filter(pk=owner.pk).update(access_until=START - datetime.timedelta(days=1))
    run_job(django_capture_on_commit_callbacks)
    assert set(Membership.objects.values_list("status", flat=True)) == {"active"}


def test_the_expired_members_api_key_is_refused(members, clock, django_capture_on_commit_callbacks):
    admin = members["admin"]
    key = ApiKeyFactory(account=admin.account, created_by=admin.user)
    api = ApiClient(key.raw_key)
    assert api("GET", "/members").status_code == 200
    _set(admin, members["owner"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    response = api("GET", "/members")
    assert response.status_code == 401
    assert response.json()["code"] == "creator_inactive"


def test_the_command_runs_it_with_the_other_scheduled_jobs(
    members, clock, django_capture_on_commit_callbacks
):
    from people.management.commands.run_scheduled_jobs import JOBS

    assert "expire_access" in JOBS
    _set(members["author"], members["admin"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_access", stdout=out)
    assert "1 membership(s) suspended" in out.getvalue()


# --- Extending and reactivating ------------------------------------------------------------


def test_extending_an_expired_member_reactivates_them(
    members, client_for, clock, django_capture_on_commit_callbacks
):
    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    response = client_for(members["admin"].user).post(
        _edit_url(author), {"access_until": "2026-12-31"}
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.status == "active" and author.access_until.date() == datetime.date(2026, 12, 31)
    assert author.access_reminded_days is None  # reminders start again for the new date
    run_job(django_capture_on_commit_callbacks)
    author.refresh_from_db()
    assert author.status == "active"


def test_reactivating_an_expired_member_clears_the_date(
    members, clock, django_capture_on_commit_callbacks
):
    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    services.reactivate_member(
        account=author.account, membership_id=author.pk, actor=members["admin"].user
    )
    run_job(django_capture_on_commit_callbacks)
    author.refresh_from_db()
    assert author.status == "active" and author.access_until is None


# --- Invitations carry it ----------------------------------------------------------------


def test_an_expiring_invitation_makes_an_expiring_membership(
    members, client_for, clock, mailoutbox, django_capture_on_commit_callbacks
):
    account, admin = members["admin"].account, members["admin"].user
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin).post(
            reverse("invitations:invite", kwargs={"slug": account.slug}),
            {
                "emails": "contractor@example.test",
                "accounts": [account.pk],
                "level": "author",
                "access_until": "2027-01-15",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="contractor@example.test")
    assert invitation.access_until.date() == datetime.date(2027, 1, 15)
    person = UserFactory(email="contractor@example.test")
    client = client_for(person)
    client.get(reverse("invitations:token", kwargs={"token": token_from(mailoutbox[-1])}))
    page = client.get(reverse("invitations:accept"))
    assert b"15 Jan 2027" in page.content
    client.post(reverse("invitations:accept"), {"action": "accept"})
    membership = Membership.objects.get(account=account, user=person)
    assert membership.access_until == invitation.access_until
    assert membership.access_until_set_by == admin


def test_the_invite_form_refuses_a_date_more_than_a_year_ahead(members, client_for, clock):
    account = members["admin"].account
    response = client_for(members["admin"].user).post(
        reverse("invitations:invite", kwargs={"slug": account.slug}),
        {
            "emails": "far@example.test",
            "accounts": [account.pk],
            "level": "author",
            "access_until": "2028-01-15",
        },
    )
    assert response.status_code == 200
    assert "at most one year ahead" in response.context["form"].errors["access_until"][0]
    assert not Invitation.objects.filter(email="far@example.test").exists()


def test_an_invitation_whose_access_already_ended_cannot_be_accepted(clock):
    from invitations.exceptions import InvitationClosed
    from invitations.services import accept_invitation
    from invitations.tokens import hash_token

    account = AccountFactory()
    MembershipFactory(account=account, role="owner")
    invitation = InvitationFactory(
        account=account, access_until=START + datetime.timedelta(hours=1)
    )
    person = UserFactory(email=invitation.email)
    clock.shift(datetime.timedelta(hours=2))
    with pytest.raises(InvitationClosed):
        accept_invitation(token_hash=hash_token(invitation.raw_token), user=person, actor=person)
    assert not Membership.objects.filter(user=person).exists()


# --- The Users page ---------------------------------------------------------------------------


def test_users_page_shows_the_date_and_filters_expires_soon(members, client_for, clock):
    _set(members["author"], members["admin"], START + datetime.timedelta(days=3))
    _set(members["manager"], members["admin"], START + datetime.timedelta(days=30))
    client = client_for(members["admin"].user)
    url = reverse("people:users", kwargs={"slug": members["admin"].account.slug})
    page = client.get(url).content.decode()
    assert page.count('data-testid="access-until"') == 2
    soon = client.get(url, {"status": "expires_soon"})
    emails = [m.user.email for m in soon.context["members"]]
    assert emails == [members["author"].user.email]


def test_users_page_query_count_does_not_grow_with_expiring_members(
    members, client_for, clock, django_assert_max_num_queries
):
    account = members["admin"].account
    client = client_for(members["admin"].user)
    url = reverse("people:users", kwargs={"slug": account.slug})
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(10):
        MembershipFactory(
            account=account, role="author", access_until=START + timezone.timedelta(days=2)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"status": "expires_soon"})


def test_an_invitation_whose_access_ended_is_not_resent(members, clock):
    from invitations.exceptions import InvitationClosed
    from invitations.services import resend_invitation

    account = members["admin"].account
    invitation = InvitationFactory(
        account=account, access_until=START + datetime.timedelta(hours=1)
    )
    clock.shift(datetime.timedelta(hours=2))
    with pytest.raises(InvitationClosed, match="invite them again with a new date"):
        resend_invitation(account=account, invitation_id=invitation.pk, actor=members["admin"].user)
    assert Invitation.objects.get(pk=invitation.pk).resends_in_window == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_job_runs_at_once_remind_and_suspend_once(mailoutbox):
    from tests.locks import run_in_threads

    account = AccountFactory()
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    reminded = MembershipFactory(account=account, role="author")
    ending = MembershipFactory(account=account, role="viewer")
    now = timezone.now()
    Membership.objects.filter(pk=reminded.pk).update(
        access_until=now + datetime.timedelta(days=3), access_until_set_by=admin.user
    )
    Membership.objects.filter(pk=ending.pk).update(
        access_until=now - datetime.timedelta(minutes=1), access_until_set_by=admin.user
    )
    assert run_in_threads(*[lambda: expire_access(actor=None)] * 4) == []
    assert sorted(m.to[0] for m in mailoutbox if "ends on" in m.subject) == sorted(
        [reminded.user.email, admin.user.email]
    )
    assert ActivityEvent.objects.filter(action="member.suspended").count() == 1
    assert Membership.objects.get(pk=ending.pk).status == "suspended"


def test_the_activity_log_names_access_expiry_as_the_actor(
    members, client_for, clock, django_capture_on_commit_callbacks
):
    author = members["author"]
    _set(author, members["admin"], START + datetime.timedelta(hours=1))
    clock.shift(datetime.timedelta(hours=2))
    run_job(django_capture_on_commit_callbacks)
    response = client_for(members["owner"].user).get(
        reverse("audit:activity", kwargs={"slug": author.account.slug})
    )
    page = response.content.decode()
    assert "Access expiry</td>" in page
    assert "passed" in page

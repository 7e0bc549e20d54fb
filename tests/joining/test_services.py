"""Requests to join (issue 20, item 2): each rule of joining.services."""

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import ActivityEvent
from invitations.selectors import seats_used
from invitations.tokens import hash_token
from joining import services
from joining.exceptions import JoinLinkClosed, JoinRequestClosed, JoinRequestRefused
from joining.models import JoinLink, JoinRequest
from memberships.exceptions import AccessDenied, NotAllowed
from memberships.models import Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call


def ask(run, token_hash, person, note=""):
    return run(services.request_to_join, token_hash=token_hash, note=note, actor=person)


# --- the switch and the link -----------------------------------------------------------------


def test_requests_are_off_by_default_and_the_link_refuses_them(account, members):
    assert account.join_requests_enabled is False
    services.set_join_requests(account=account, enabled=True, actor=members["owner"].user)
    token_hash = hash_token(JoinLink.objects.get(account=account).token)
    services.set_join_requests(account=account, enabled=False, actor=members["admin"].user)
    with pytest.raises(JoinLinkClosed):
        services.request_to_join(token_hash=token_hash, note="", actor=UserFactory())
    assert not JoinRequest.objects.exists()
    changes = ActivityEvent.objects.filter(action="account.settings_changed").order_by("pk")
    assert [(e.target_label, e.new_value) for e in changes] == [
        ("People can ask to join", "on"),
        ("People can ask to join", "off"),
    ]


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_only_owners_and_admins_turn_requests_on(account, members, role):
    with pytest.raises(NotAllowed):
        services.set_join_requests(account=account, enabled=True, actor=members[role].user)
    account.refresh_from_db()
    assert account.join_requests_enabled is False
    assert not JoinLink.objects.exists()


def test_a_new_link_stops_the_old_one(run, open_account, members, token_hash):
    run(services.regenerate_join_link, account=open_account, actor=members["admin"].user)
    with pytest.raises(JoinLinkClosed):
        services.request_to_join(token_hash=token_hash, note="", actor=UserFactory())
    new_hash = hash_token(JoinLink.objects.get(account=open_account).token)
    assert ask(run, new_hash, UserFactory()).status == "pending"


def test_a_closed_account_takes_no_request(open_account, token_hash):
    open_account.closed_at = timezone.now()
    open_account.save()
    with pytest.raises(JoinLinkClosed):
        services.request_to_join(token_hash=token_hash, note="", actor=UserFactory())


def test_an_unknown_link_says_the_same_as_a_switched_off_one(open_account):
    with pytest.raises(JoinLinkClosed) as unknown:
        services.request_to_join(token_hash=hash_token("nope"), note="", actor=UserFactory())
    assert unknown.value.message == JoinLinkClosed().message


# --- asking ----------------------------------------------------------------------------------


def test_a_request_emails_owners_and_admins_and_takes_no_seat(
    run, open_account, members, token_hash, mailoutbox
):
    seats = seats_used(open_account)
    person = UserFactory(first_name="Ada", last_name="Lovelace")
    request = ask(run, token_hash, person, note="I run the newsletter.")
    assert request.status == "pending"
    assert request.expires_at - request.created_at == timedelta(days=30)
    assert seats_used(open_account) == seats
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [members["owner"].user.email, members["admin"].user.email]
    )
    assert "Ada Lovelace asks to join" in mailoutbox[0].subject
    assert "I run the newsletter." in mailoutbox[0].body
    assert mailoutbox[0].alternatives
    event = ActivityEvent.objects.get(action="join_request.sent")
    assert event.actor == person and event.target_user == person


def test_requests_count_against_no_invitation_cap(run, open_account, members, token_hash):
    InvitationFactory.create_batch(25, account=open_account, invited_by=members["admin"].user)
    assert ask(run, token_hash, UserFactory()).status == "pending"


def test_one_pending_request_per_person_and_account(run, open_account, token_hash):
    person = UserFactory()
    ask(run, token_hash, person)
    with pytest.raises(JoinRequestRefused, match="already asked"):
        services.request_to_join(token_hash=token_hash, note="again", actor=person)
    assert JoinRequest.objects.filter(user=person).count() == 1


def test_the_database_holds_one_pending_request_per_person(open_account):
    person = UserFactory()
    later = timezone.now() + timedelta(days=30)
    JoinRequest.objects.create(account=open_account, user=person, expires_at=later)
    with pytest.raises(IntegrityError), transaction.atomic():
        JoinRequest.objects.create(account=open_account, user=person, expires_at=later)
    JoinRequest.objects.create(  # another account: its own request
        account=AccountFactory(), user=person, expires_at=later
    )


def test_an_unverified_email_cannot_ask(open_account, token_hash):
    person = UserFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)
    with pytest.raises(JoinRequestRefused, match="Verify your email"):
        services.request_to_join(token_hash=token_hash, note="", actor=person)
    assert not JoinRequest.objects.exists()


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_members_and_suspended_members_cannot_use_the_link_to_get_back_in(
    open_account, members, token_hash, status
):
    viewer = members["viewer"]
    viewer.status = status
    viewer.save()
    with pytest.raises(JoinRequestRefused) as refused:
        services.request_to_join(token_hash=token_hash, note="", actor=viewer.user)
    expected = "already a member" if status == "active" else "is suspended"
    assert expected in refused.value.message
    assert not JoinRequest.objects.exists()


def test_a_person_withdraws_their_request(run, open_account, token_hash):
    person = UserFactory()
    request = ask(run, token_hash, person)
    with pytest.raises(JoinRequestClosed):  # someone else's request is not theirs to withdraw
        services.withdraw_join_request(request_id=request.pk, actor=UserFactory())
    run(services.withdraw_join_request, request_id=request.pk, actor=person)
    assert JoinRequest.objects.get(pk=request.pk).status == "withdrawn"
    assert ActivityEvent.objects.filter(action="join_request.withdrawn").count() == 1
    assert ask(run, token_hash, person).status == "pending"  # may ask again


# --- answering ------------------------------------------------------------------------------


def test_approving_makes_a_member_at_the_chosen_level_and_emails_the_person(
    run, open_account, members, token_hash, mailoutbox
):
    person = UserFactory()
    request = ask(run, token_hash, person)
    mailoutbox.clear()
    membership = run(
        services.approve_join_request,
        account=open_account,
        request_id=request.pk,
        level="author",
        actor=members["admin"].user,
    )
    assert membership.role == "author" and membership.user == person
    request.refresh_from_db()
    assert (request.status, request.role, request.decided_by) == (
        "approved",
        "author",
        members["admin"].user,
    )
    to_person = [m for m in mailoutbox if m.to == [person.email]]
    assert len(to_person) == 1 and "Welcome to" in to_person[0].subject
    assert f"/a/{open_account.slug}/" in to_person[0].body
    event = ActivityEvent.objects.get(action="join_request.approved")
    assert event.new_value == "Author" and event.target_user == person


def test_approval_stays_within_the_approvers_level_and_the_plan(
    run, open_account, members, token_hash
):
    request = ask(run, token_hash, UserFactory())
    for level in ("owner", "nonsense"):
        with pytest.raises(JoinRequestRefused):
            services.approve_join_request(
                account=open_account,
                request_id=request.pk,
                level=level,
                actor=members["admin"].user,
            )
    open_account.plan = "standard"  # no Manager level
    open_account.save()
    with pytest.raises(JoinRequestRefused, match="Standard"):
        services.approve_join_request(
            account=open_account,
            request_id=request.pk,
            level="manager",
            actor=members["owner"].user,
        )
    assert not Membership.objects.filter(user=request.user).exists()


def test_an_admin_approves_up_to_admin_never_owner(run, open_account, members, token_hash):
    levels = [r.value for r in services.grantable_levels(open_account, members["admin"])]
    assert levels == ["admin", "manager", "author", "viewer"]
    request = ask(run, token_hash, UserFactory())
    membership = services.approve_join_request(
        account=open_account, request_id=request.pk, level="admin", actor=members["admin"].user
    )
    assert membership.role == "admin"


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_lower_levels_cannot_approve_or_deny(run, open_account, members, token_hash, role):
    request = ask(run, token_hash, UserFactory())
    with pytest.raises(NotAllowed):
        services.approve_join_request(
            account=open_account, request_id=request.pk, level="viewer", actor=members[role].user
        )
    with pytest.raises(NotAllowed):
        services.deny_join_request(
            account=open_account, request_id=request.pk, actor=members[role].user
        )
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


def test_a_suspended_admin_cannot_approve(run, open_account, members, token_hash):
    request = ask(run, token_hash, UserFactory())
    members["admin"].status = "suspended"
    members["admin"].save()
    with pytest.raises(AccessDenied):
        services.approve_join_request(
            account=open_account, request_id=request.pk, level="viewer", actor=members["admin"].user
        )
    assert not Membership.objects.filter(user=request.user).exists()


def test_another_accounts_request_cannot_be_answered(run, open_account, token_hash, other_account):
    request = ask(run, token_hash, UserFactory())
    other_owner = other_account.memberships.get(role="owner").user
    with pytest.raises(JoinRequestClosed):
        services.approve_join_request(
            account=other_account, request_id=request.pk, level="viewer", actor=other_owner
        )
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


def test_approval_needs_a_free_seat(run, members, django_capture_on_commit_callbacks):
    account = AccountFactory(plan="standard")  # 5 seats
    owner = MembershipFactory(account=account, role="owner")
    services.set_join_requests(account=account, enabled=True, actor=owner.user)
    token_hash = hash_token(JoinLink.objects.get(account=account).token)
    requests = [ask(run, token_hash, UserFactory()) for _ in range(6)]  # no seat taken yet
    MembershipFactory.create_batch(3, account=account)
    services.approve_join_request(
        account=account, request_id=requests[0].pk, level="viewer", actor=owner.user
    )
    with pytest.raises(JoinRequestRefused, match="no seat left"):
        services.approve_join_request(
            account=account, request_id=requests[1].pk, level="viewer", actor=owner.user
        )
    assert Membership.objects.filter(account=account).count() == 5


def test_denying_emails_the_person_and_is_logged(
    run, open_account, members, token_hash, mailoutbox
):
    person = UserFactory()
    request = ask(run, token_hash, person)
    mailoutbox.clear()
    run(
        services.deny_join_request,
        account=open_account,
        request_id=request.pk,
        actor=members["owner"].user,
    )
    assert JoinRequest.objects.get(pk=request.pk).status == "denied"
    assert [m.to for m in mailoutbox] == [[person.email]]
    assert ActivityEvent.objects.filter(action="join_request.denied").count() == 1
    assert not Membership.objects.filter(user=person).exists()
    with pytest.raises(JoinRequestClosed):
        services.approve_join_request(
            account=open_account, request_id=request.pk, level="viewer", actor=members["owner"].user
        )


def test_switching_off_closes_pending_requests_and_tells_each_person(
    run, open_account, members, token_hash, mailoutbox
):
    people = [UserFactory(), UserFactory()]
    for person in people:
        ask(run, token_hash, person)
    mailoutbox.clear()
    run(
        services.set_join_requests, account=open_account, enabled=False, actor=members["owner"].user
    )
    assert set(JoinRequest.objects.values_list("status", flat=True)) == {"closed"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)


# --- expiry ---------------------------------------------------------------------------------


def test_requests_expire_after_30_days_by_the_job(
    run, open_account, members, token_hash, mailoutbox
):
    person = UserFactory()
    request = ask(run, token_hash, person)
    mailoutbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=29, hours=23)):
        assert run(services.expire_join_requests) == 0
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        with pytest.raises(JoinRequestClosed, match="expired"):
            services.approve_join_request(
                account=open_account,
                request_id=request.pk,
                level="viewer",
                actor=members["owner"].user,
            )
        assert run(services.expire_join_requests) == 1
        assert run(services.expire_join_requests) == 0  # idempotent
        assert ask(run, token_hash, person).status == "pending"  # may ask again
    assert JoinRequest.objects.get(pk=request.pk).status == "expired"
    assert ActivityEvent.objects.filter(action="join_request.expired").count() == 1
    assert mailoutbox[0].to == [person.email]


def test_the_expiry_job_runs_from_the_scheduled_jobs(run, open_account, token_hash):
    from io import StringIO

    from django.core.management import call_command

    from people.management.commands.run_scheduled_jobs import JOBS

    assert "expire_join_requests" in JOBS
    ask(run, token_hash, UserFactory())
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("expire_join_requests", stdout=out)
    assert "1 request(s) to join expired." in out.getvalue()

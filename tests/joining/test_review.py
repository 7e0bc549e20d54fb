"""Requests to join, as the review of issue 20 found them: an approval and a pending
invitation to the same person never hold two seats."""

import pytest

from audit.models import ActivityEvent
from invitations.models import Invitation
from invitations.selectors import seats_used
from invitations.tokens import hash_token
from joining import services
from joining.exceptions import JoinRequestRefused
from joining.models import JoinLink
from memberships.models import Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _open(account, owner):
    services.set_join_requests(account=account, enabled=True, actor=owner.user)
    return hash_token(JoinLink.objects.get(account=account).token)


def _ask(token_hash, person):
    return services.request_to_join(token_hash=token_hash, note="", actor=person)


def test_approving_cancels_the_persons_pending_invitation_and_logs_it(
    open_account, members, token_hash
):
    person = UserFactory()
    invitation = InvitationFactory(
        account=open_account, email=person.email, invited_by=members["admin"].user
    )
    other = InvitationFactory(account=open_account, invited_by=members["admin"].user)
    request = _ask(token_hash, person)
    used = seats_used(open_account)
    services.approve_join_request(
        account=open_account, request_id=request.pk, level="author", actor=members["admin"].user
    )
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"
    assert Invitation.objects.get(pk=other.pk).status == "pending"
    assert seats_used(open_account) == used  # the invitation's seat became the membership's
    row = ActivityEvent.objects.get(action="invitation.cancelled")
    assert row.actor == members["admin"].user


def test_approving_on_a_full_plan_uses_the_seat_the_persons_invitation_held():
    account = AccountFactory(plan="standard")  # 5 seats
    owner = MembershipFactory(account=account, role="owner")
    token_hash = _open(account, owner)
    person = UserFactory()
    request = _ask(token_hash, person)
    MembershipFactory.create_batch(3, account=account)
    invitation = InvitationFactory(account=account, email=person.email, invited_by=owner.user)
    assert seats_used(account) == 5  # full: the invitation holds the fifth seat
    services.approve_join_request(
        account=account, request_id=request.pk, level="viewer", actor=owner.user
    )
    assert Membership.objects.filter(account=account).count() == 5
    assert Invitation.objects.get(pk=invitation.pk).status == "cancelled"
    assert seats_used(account) == 5


def test_a_refused_approval_cancels_no_invitation():
    account = AccountFactory(plan="standard")  # 5 seats
    owner = MembershipFactory(account=account, role="owner")
    token_hash = _open(account, owner)
    person = UserFactory()
    request = _ask(token_hash, person)
    MembershipFactory.create_batch(4, account=account)
    other = InvitationFactory(account=account, invited_by=owner.user)
    own = InvitationFactory(account=account, email=person.email, invited_by=owner.user)
    with pytest.raises(JoinRequestRefused, match="no seat left"):
        services.approve_join_request(
            account=account, request_id=request.pk, level="viewer", actor=owner.user
        )
    assert Invitation.objects.get(pk=other.pk).status == "pending"
    assert Invitation.objects.get(pk=own.pk).status == "pending"  # rolled back with the refusal
    assert not Membership.objects.filter(account=account, user=person).exists()


# --- A request of someone who joined by invitation is closed, not "expired" ----------------


def test_a_request_of_someone_who_joined_by_invitation_is_closed_without_an_email(
    open_account, members, token_hash, mailoutbox, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from invitations import services as invitations
    from joining.models import JoinRequest

    person = UserFactory()
    request = _ask(token_hash, person)
    invitation = InvitationFactory(
        account=open_account, email=person.email, invited_by=members["admin"].user
    )
    invitations.accept_invitation(token_hash=invitation.token_hash, user=person, actor=person)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.expire_join_requests() == 0
    assert JoinRequest.objects.get(pk=request.pk).status == "closed"
    row = ActivityEvent.objects.get(action="join_request.closed")
    assert row.target_user == person and row.new_value == "already a member"
    later = timezone.now() + timedelta(days=31)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert services.expire_join_requests() == 0
    assert JoinRequest.objects.get(pk=request.pk).status == "closed"
    assert not [m for m in mailoutbox if m.to == [person.email]]


def test_requests_of_people_who_are_not_members_stay_pending(open_account, token_hash):
    from joining.models import JoinRequest

    request = _ask(token_hash, UserFactory())
    services.expire_join_requests()
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


# --- The per-IP count of links that match nothing -------------------------------------------


def test_reopening_join_with_a_bad_link_in_the_session_is_not_counted_again(client_for):
    from django.urls import reverse

    from invitations import throttle

    client = client_for(UserFactory())
    client.get(reverse("joining:token", args=["no-such-link"]))
    for _ in range(throttle.BAD_TOKENS_PER_WINDOW + 5):
        assert client.get(reverse("joining:join")).status_code == 404
    assert not throttle.is_blocked()


def test_many_bad_join_links_from_one_address_are_stopped(client_for, link):
    from django.urls import reverse

    from invitations import throttle

    client = client_for(UserFactory())
    for n in range(throttle.BAD_TOKENS_PER_WINDOW):
        client.get(reverse("joining:token", args=[f"guess-{n}"]))
    response = client.get(reverse("joining:token", args=[link.token]), follow=True)
    assert response.status_code == 429  # even the right link, once blocked


def test_the_right_link_is_not_counted(client_for, link):
    from django.urls import reverse

    from invitations import throttle

    client = client_for(UserFactory())
    for _ in range(throttle.BAD_TOKENS_PER_WINDOW + 1):
        client.get(reverse("joining:token", args=[link.token]))
    assert client.get(reverse("joining:join")).status_code == 200

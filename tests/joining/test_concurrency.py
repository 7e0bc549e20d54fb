"""Approving a request to join never overfills the plan, whatever races it (PostgreSQL row
locks, real threads): a seat-filling invite, another approval, a revoke."""

import pytest
from django.db import connection

from invitations import services as invitations
from invitations.selectors import seats_used
from invitations.tokens import hash_token
from joining import services
from joining.models import JoinLink, JoinRequest
from memberships.exceptions import MembershipError
from memberships.models import Membership
from people import services as people
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.locks import run_in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

SEATS = 5  # the Standard plan


def standard_account_with_requests(members: int, requests: int):
    """A Standard account (5 seats) with an Owner, an Admin, `members - 2` viewers and
    `requests` pending requests to join."""
    account = AccountFactory(plan="standard")
    owner = MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    viewers = MembershipFactory.create_batch(members - 2, account=account, role="viewer")
    services.set_join_requests(account=account, enabled=True, actor=owner.user)
    token_hash = hash_token(JoinLink.objects.get(account=account).token)
    pending = [
        services.request_to_join(token_hash=token_hash, note="", actor=UserFactory())
        for _ in range(requests)
    ]
    return account, owner, admin, viewers, pending


def approve(account, request, actor):
    return lambda: services.approve_join_request(
        account=account, request_id=request.pk, level="viewer", actor=actor
    )


@pytest.mark.parametrize("attempt", range(3))
def test_approval_racing_a_seat_filling_invite_never_exceeds_seats(attempt):
    account, owner, admin, _viewers, (request,) = standard_account_with_requests(4, 1)
    invite = lambda: invitations.invite_users(  # noqa: E731
        accounts=[account],
        emails=["late@example.test"],
        level="viewer",
        message="",
        actor=admin.user,
    )
    calls = [approve(account, request, owner.user), invite]
    errors = run_in_threads(*(calls if attempt % 2 else calls[::-1]))
    assert seats_used(account) == SEATS, errors
    assert len(errors) == 1, errors  # one of them took the last seat, the other was refused
    approved = JoinRequest.objects.get(pk=request.pk).status == "approved"
    assert approved == Membership.objects.filter(account=account, user=request.user).exists()


@pytest.mark.parametrize("attempt", range(3))
def test_two_approvals_for_the_last_seat_make_one_member(attempt):
    account, owner, admin, _viewers, requests = standard_account_with_requests(4, 2)
    errors = run_in_threads(
        approve(account, requests[0], owner.user), approve(account, requests[1], admin.user)
    )
    assert Membership.objects.filter(account=account).count() == SEATS
    assert len(errors) == 1 and isinstance(errors[0], MembershipError), errors


@pytest.mark.parametrize("attempt", range(3))
def test_approval_racing_a_revoke_never_exceeds_seats(attempt):
    # Full: the approval can only take the seat the revoke frees, and only after it.
    account, owner, admin, viewers, (request,) = standard_account_with_requests(5, 1)
    revoke = lambda: people.revoke_member(  # noqa: E731
        account=account, membership_id=viewers[0].pk, actor=owner.user
    )
    calls = [approve(account, request, admin.user), revoke]
    errors = run_in_threads(*(calls if attempt % 2 else calls[::-1]))
    count = Membership.objects.filter(account=account).count()
    assert count <= SEATS, (count, errors)
    joined = Membership.objects.filter(account=account, user=request.user).exists()
    assert count == (SEATS if joined else SEATS - 1)
    assert not Membership.objects.filter(pk=viewers[0].pk).exists()


@pytest.mark.parametrize("attempt", range(3))
def test_an_approver_revoked_meanwhile_approves_nothing_after_the_revoke(attempt):
    account, owner, admin, _viewers, (request,) = standard_account_with_requests(3, 1)
    revoke = lambda: people.revoke_member(  # noqa: E731
        account=account, membership_id=admin.pk, actor=owner.user
    )
    calls = [approve(account, request, admin.user), revoke]
    errors = run_in_threads(*(calls if attempt % 2 else calls[::-1]))
    assert not Membership.objects.filter(pk=admin.pk).exists()
    joined = Membership.objects.filter(account=account, user=request.user).exists()
    # Either the approval ran first (and the revoke after it), or it was refused by the gate.
    assert joined == (not errors), errors

"""Limits and single use hold under parallel requests (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import ActivityEvent
from invitations.models import Invitation
from memberships.models import Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_in_parallel(calls):
    """Run each callable in its own thread (own DB connection), all released at once."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def parallel_invites(client_for, account, user, count):
    url = reverse("invitations:invite", kwargs={"slug": account.slug})
    clients = [client_for(user) for _ in range(count)]
    calls = [
        (
            lambda c=c, i=i: (
                c.post(
                    url,
                    {"emails": f"p{i}@example.com", "accounts": [account.pk], "level": "viewer"},
                ).status_code
            )
        )
        for i, c in enumerate(clients)
    ]
    return run_in_parallel(calls)


def test_40_parallel_invitations_create_exactly_25(client_for):
    account = AccountFactory(plan="premium")
    admin = MembershipFactory(account=account, role="admin").user
    statuses = parallel_invites(client_for, account, admin, 40)
    assert Invitation.objects.filter(account=account).count() == 25
    assert statuses.count(302) == 25 and statuses.count(200) == 15
    assert ActivityEvent.objects.filter(action="invitation.sent").count() == 25


def test_parallel_invitations_respect_the_seat_limit(client_for):
    account = AccountFactory(plan="standard")  # 5 seats
    owner = MembershipFactory(account=account, role="owner").user
    parallel_invites(client_for, account, owner, 40)
    assert Invitation.objects.filter(account=account).count() == 4
    assert Membership.objects.filter(account=account).count() == 1


def test_parallel_accepts_of_one_token_create_one_membership(client_for):
    invitation = InvitationFactory(role="author")
    user = UserFactory(email=invitation.email)
    token_url = reverse("invitations:token", kwargs={"token": invitation.raw_token})
    accept_url = reverse("invitations:accept")
    clients = []
    for _ in range(8):
        client = client_for(user)
        assert client.get(token_url).status_code == 302
        clients.append(client)
    statuses = run_in_parallel(
        [lambda c=c: c.post(accept_url, {"action": "accept"}).status_code for c in clients]
    )
    assert statuses.count(302) == 1
    assert Membership.objects.filter(account=invitation.account, user=user).count() == 1
    assert ActivityEvent.objects.filter(action="member.joined").count() == 0
    assert ActivityEvent.objects.filter(action="invitation.accepted").count() == 1

"""Invariants under real concurrency: threads with their own PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from memberships.exceptions import MembershipError
from memberships.models import Membership
from people import services
from tests.conftest import record_login
from tests.factories import AccountFactory, MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_in_parallel(*callables):
    """Start every callable at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # recorded and asserted by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_admins_revoking_each_other_leave_at_least_one(attempt):
    account = AccountFactory()
    owner = MembershipFactory(account=account, role="owner")
    a = MembershipFactory(account=account, role="admin")
    b = MembershipFactory(account=account, role="admin")
    results = run_in_parallel(
        lambda: services.revoke_member(account=account, membership_id=b.pk, actor=a.user),
        lambda: services.revoke_member(account=account, membership_id=a.pk, actor=b.user),
    )
    remaining = set(Membership.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", flat=True))
    assert len(remaining) == 1, results
    assert sum(isinstance(r, MembershipError) for r in results) == 1
    assert Membership.objects.get(pk=owner.pk).role == "owner"


# Accepting an ownership transfer racing a level change of the target: tests/transfers.


def test_after_a_revoke_commits_no_request_of_the_member_succeeds():
    account = AccountFactory()
    owner = MembershipFactory(account=account, role="owner")
    member = MembershipFactory(account=account, role="viewer")
    client = Client()
    client.force_login(member.user)
    record_login(client, member.user)
    url = reverse("overview", args=[account.slug])
    log = []  # (started_at, status)
    first_response = threading.Event()
    enough_after = threading.Event()
    committed_at = []

    def hammer():
        try:
            while not enough_after.is_set():
                started = time.monotonic()
                log.append((started, client.get(url).status_code))
                first_response.set()
                if committed_at and sum(t > committed_at[0] for t, _ in log) >= 5:
                    enough_after.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=hammer)
    thread.start()
    assert first_response.wait(10)
    services.revoke_member(account=account, membership_id=member.pk, actor=owner.user)
    committed_at.append(time.monotonic())
    assert enough_after.wait(10)
    thread.join(10)
    committed_at = committed_at[0]
    before = [s for t, s in log if t < committed_at]
    after = [s for t, s in log if t > committed_at]
    assert 200 in before and after, (len(before), len(after))
    assert set(after) == {404}

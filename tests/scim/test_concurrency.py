"""Two identity-provider requests at once for the last seat, or for the same person: the
Account row lock decides, so the plan's seats and one membership per person always hold."""

import threading

import pytest
from django.db import connection

from memberships.models import Membership
from scim.exceptions import AlreadyAMember, NoSeatLeft
from scim.models import Provisioning
from scim.services import provision_member
from tests.factories import AccountFactory, MembershipFactory
from tests.locks import run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent writers: PostgreSQL only (SQLite has one writer)",
    ),
]


def _race(account, admin, emails):
    barrier = threading.Barrier(len(emails))
    outcomes = []

    def provision(email):
        def run():
            barrier.wait()
            provision_member(account=account, email=email, actor=admin.user)
            outcomes.append(email)

        return run

    errors = run_in_threads(*[provision(email) for email in emails])
    return outcomes, errors


def test_two_requests_for_the_last_seat_give_it_to_one(db):
    account = AccountFactory(plan="standard")  # 5 seats
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    MembershipFactory.create_batch(2, account=account, role="viewer")
    Provisioning.objects.create(account=account, enabled=True)
    outcomes, errors = _race(account, admin, ["one@example.com", "two@example.com"])
    assert len(outcomes) == 1
    assert [type(e) for e in errors] == [NoSeatLeft]
    assert Membership.objects.filter(account=account).count() == 5


def test_two_requests_for_the_same_person_make_one_membership(db):
    account = AccountFactory(plan="premium")
    MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    Provisioning.objects.create(account=account, enabled=True)
    outcomes, errors = _race(account, admin, ["same@example.com", "same@example.com"])
    assert len(outcomes) == 1
    assert [type(e) for e in errors] == [AlreadyAMember]
    assert Membership.objects.filter(account=account, user__email="same@example.com").count() == 1


def test_two_accounts_provisioning_the_same_new_person_share_one_login(db):
    accounts = []
    for _ in range(2):
        account = AccountFactory(plan="premium")
        MembershipFactory(account=account, role="owner")
        admin = MembershipFactory(account=account, role="admin")
        Provisioning.objects.create(account=account, enabled=True)
        accounts.append((account, admin))
    barrier = threading.Barrier(2)

    def provision(account, admin):
        def run():
            barrier.wait()
            provision_member(account=account, email="shared@example.com", actor=admin.user)

        return run

    assert run_in_threads(*[provision(a, m) for a, m in accounts]) == []
    memberships = Membership.objects.filter(user__email="shared@example.com")
    assert memberships.count() == 2
    assert len({m.user_id for m in memberships}) == 1

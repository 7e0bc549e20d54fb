"""MemberCount (each account's number of memberships) follows the memberships table, kept
by triggers whatever writes the rows (memberships migration 0003 on PostgreSQL,
config/sqlite_triggers.py on SQLite)."""

import threading
from functools import partial

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Account
from memberships.models import MemberCount, Membership
from people.users_page import MemberFilter, numbers
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.locks import run_in_threads, wait_until_someone_waits_for_a_lock
from tests.triggers import triggers_off

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers and TRUNCATE: PostgreSQL only (SQLite has one writer, no TRUNCATE)",
)


def kept(account) -> int:
    return MemberCount.objects.filter(account=account).values_list("members", flat=True).first()


def assert_kept_equals_rows(*accounts):
    for account in accounts:
        assert kept(account) == Membership.objects.filter(account=account).count(), account


def test_each_new_membership_counts():
    account = AccountFactory()
    assert kept(account) is None  # no row until the first member: the page reads 0
    assert numbers(account, MemberFilter()).members == 0
    MembershipFactory.create_batch(3, account=account)
    assert kept(account) == 3


def test_bulk_create_counts_once_per_account():
    first, second = AccountFactory(), AccountFactory()
    users = UserFactory.create_batch(5)
    Membership.objects.bulk_create(
        [Membership(user=u, account=first) for u in users]
        + [Membership(user=u, account=second) for u in users[:2]]
    )
    assert (kept(first), kept(second)) == (5, 2)


def test_revoking_suspending_and_moving_members():
    first, second = AccountFactory(), AccountFactory()
    one, two, three = MembershipFactory.create_batch(3, account=first)
    one.delete()
    two.status = "suspended"  # a suspended member still holds a seat
    two.save()
    Membership.objects.filter(pk=three.pk).update(account=second)
    assert (kept(first), kept(second)) == (1, 1)
    Membership.objects.filter(account=second).update(role="author")  # moves nothing
    assert_kept_equals_rows(first, second)


def test_deleting_a_user_or_an_account_cascades():
    account, other = AccountFactory(), AccountFactory()
    person = UserFactory()
    MembershipFactory(account=account, user=person)
    MembershipFactory(account=other, user=person)
    MembershipFactory(account=account)
    person.delete()
    assert (kept(account), kept(other)) == (1, 0)
    Account.objects.filter(pk=account.pk).delete()
    assert not MemberCount.objects.filter(account_id=account.pk).exists()


def test_raw_sql_writes_count_too():
    account, user = AccountFactory(), UserFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO memberships_membership (user_id, account_id, role, status, created_at,"
            " user_email) VALUES (%s, %s, 'viewer', 'active', %s, '')",
            [user.pk, account.pk, timezone.now()],
        )
    assert kept(account) == 1


def test_an_orm_upsert_moving_a_membership_counts_too():
    first, second = AccountFactory(), AccountFactory()
    moved, _stays = MembershipFactory.create_batch(2, account=first)
    MembershipFactory(account=second)
    Membership.objects.bulk_create(
        [Membership(pk=moved.pk, user=moved.user, account=second, role="viewer")],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=["account"],
    )
    assert (kept(first), kept(second)) == (1, 2)
    assert_kept_equals_rows(first, second)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_and_removals_lose_no_update():
    account = AccountFactory()
    leavers = MembershipFactory.create_batch(6, account=account)
    joiners = UserFactory.create_batch(12)
    start = threading.Barrier(6)

    def work(batch, removals):
        start.wait(5)
        for user, leaver in zip(batch, removals + [None] * len(batch), strict=False):
            with transaction.atomic():
                Membership.objects.create(user=user, account=account)
                if leaver is not None:
                    Membership.objects.filter(pk=leaver.pk).delete()

    assert not run_in_threads(*(partial(work, joiners[i::6], leavers[i : i + 1]) for i in range(6)))
    assert Membership.objects.filter(account=account).count() == 12
    assert kept(account) == 12


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_truncate_empties_the_counts():
    MembershipFactory.create_batch(2, account=AccountFactory())
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE memberships_membership CASCADE")
    assert not MemberCount.objects.exists()


def test_reconcile_corrects_counts_that_bypassed_triggers():
    from django.core.management import call_command

    drifted, right, empty = AccountFactory(), AccountFactory(), AccountFactory()
    MembershipFactory.create_batch(3, account=drifted)
    MembershipFactory(account=right)
    MembershipFactory(account=empty).delete()
    with triggers_off(connection), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM memberships_membership WHERE account_id = %s AND id IN"
            " (SELECT id FROM memberships_membership WHERE account_id = %s LIMIT 2)",
            [drifted.pk, drifted.pk],
        )
    assert kept(drifted) == 3  # wrong: one member is left
    out = __import__("io").StringIO()
    call_command("reconcile_member_counts", stdout=out)
    assert f"account {drifted.pk}: count was 3, set to 1" in out.getvalue()
    assert "1 account count(s) corrected." in out.getvalue()
    assert_kept_equals_rows(drifted, right, empty)


def test_reconcile_finds_nothing_where_the_triggers_kept_the_counts():
    from memberships.member_counts import reconcile_member_counts

    account = AccountFactory()
    MembershipFactory.create_batch(2, account=account)
    assert reconcile_member_counts() == []
    assert_kept_equals_rows(account)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_moving_a_membership_between_accounts_does_not_deadlock_with_new_members():
    """B adds a member to `low` (making its count row) and, before committing, to `high`; A
    moves a membership from `high` to `low` meanwhile. A must take the count rows in account
    order (`low` first, where it waits for B), never `high` first (migration 0004)."""
    low, high = sorted([AccountFactory(), AccountFactory()], key=lambda account: account.pk)
    moved = MembershipFactory(account=high)
    newcomers = UserFactory.create_batch(2)
    b_has_low = threading.Event()

    def join_both():
        with transaction.atomic():
            Membership.objects.create(user=newcomers[0], account=low)
            b_has_low.set()
            with connections["default"].cursor() as cursor:
                wait_until_someone_waits_for_a_lock(cursor)  # A, on low's count
            Membership.objects.create(user=newcomers[1], account=high)

    def move():
        b_has_low.wait(5)
        Membership.objects.filter(pk=moved.pk).update(account=low)

    assert run_in_threads(join_both, move) == []
    assert (kept(low), kept(high)) == (2, 1)
    assert_kept_equals_rows(low, high)

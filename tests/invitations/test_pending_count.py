"""PendingInvitationCount (each account's number of pending invitations) follows the
invitations table, kept by triggers whatever writes the rows (invitations migration 0004 on
PostgreSQL, config/sqlite_triggers.py on SQLite); the Users page's numbers read it."""

import io
import threading
from datetime import timedelta
from functools import partial

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from accounts.models import Account
from invitations.models import Invitation, PendingInvitationCount
from people.users_page import MemberFilter, numbers
from tests.factories import AccountFactory, InvitationFactory, UserFactory
from tests.locks import run_in_threads, wait_until_someone_waits_for_a_lock
from tests.triggers import triggers_off

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers and TRUNCATE: PostgreSQL only (SQLite has one writer, no TRUNCATE)",
)


def kept(account):
    counts = PendingInvitationCount.objects.filter(account=account)
    return counts.values_list("pending", flat=True).first()


def assert_kept_equals_rows(*accounts):
    for account in accounts:
        real = Invitation.objects.filter(account=account, status="pending").count()
        assert (kept(account) or 0) == real, account


def invitation(account, **fields):
    now = timezone.now()
    return Invitation(
        account=account,
        email=fields.pop("email"),
        role="viewer",
        created_at=now,
        expires_at=now + timedelta(days=7),
        token_hash=fields.pop("token_hash", ""),
        **fields,
    )


def test_each_new_pending_invitation_counts_and_no_other():
    account = AccountFactory()
    assert kept(account) is None  # no row until the first invitation: the page reads 0
    assert numbers(account, MemberFilter()).invitations == 0
    InvitationFactory.create_batch(3, account=account)
    InvitationFactory(account=account, status="accepted")
    InvitationFactory(account=account, status="expired")
    assert kept(account) == 3


def test_bulk_create_counts_once_per_account():
    first, second = AccountFactory(), AccountFactory()
    Invitation.objects.bulk_create(
        [invitation(first, email=f"a{i}@example.test") for i in range(5)]
        + [invitation(second, email=f"b{i}@example.test") for i in range(2)]
        + [invitation(second, email="c@example.test", status="cancelled")]
    )
    assert (kept(first), kept(second)) == (5, 2)


def test_status_changes_and_moves_change_the_counts():
    first, second = AccountFactory(), AccountFactory()
    accepted, cancelled, moved, *rest = InvitationFactory.create_batch(6, account=first)
    accepted.status = "accepted"
    accepted.save()
    Invitation.objects.filter(pk=cancelled.pk).update(status="cancelled")
    Invitation.objects.filter(pk=moved.pk).update(account=second)
    assert (kept(first), kept(second)) == (3, 1)

    Invitation.objects.filter(account=first).update(status="expired")  # several at once
    assert kept(first) == 0
    Invitation.objects.filter(pk=rest[0].pk).update(status="pending")  # back to pending
    assert kept(first) == 1
    Invitation.objects.filter(account=second).update(delivery_status="failed")  # no change
    assert_kept_equals_rows(first, second)


def test_an_orm_upsert_back_to_pending_counts_too():
    account = AccountFactory()
    InvitationFactory(account=account)
    cancelled = InvitationFactory(account=account, status="cancelled")
    cancelled.status = "pending"
    Invitation.objects.bulk_create(
        [cancelled], update_conflicts=True, unique_fields=["id"], update_fields=["status"]
    )
    assert kept(account) == 2
    assert_kept_equals_rows(account)


def test_deleting_invitations_a_user_or_an_account():
    account, other = AccountFactory(), AccountFactory()
    inviter = UserFactory()
    one, _two = InvitationFactory.create_batch(2, account=account)
    InvitationFactory(account=account, status="declined")
    InvitationFactory(account=other, invited_by=inviter)
    one.delete()
    inviter.delete()  # invited_by is set null: the invitation stays pending
    assert (kept(account), kept(other)) == (1, 1)
    Account.objects.filter(pk=account.pk).delete()
    assert not PendingInvitationCount.objects.filter(account_id=account.pk).exists()
    assert_kept_equals_rows(other)


def test_raw_sql_writes_count_too():
    account = AccountFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO invitations_invitation (account_id, email, role, message, created_at,"
            " expires_at, status, token_hash, delivery_status, last_error, resends_in_window)"
            " VALUES (%s, 'raw@example.test', 'viewer', '', %s, %s, 'pending', '', 'queued',"
            " '', 0)",
            [account.pk, timezone.now(), timezone.now() + timedelta(days=7)],
        )
    assert kept(account) == 1


def test_the_page_reads_the_kept_count_and_counts_only_lapsed_and_expired_rows():
    account = AccountFactory()
    InvitationFactory.create_batch(3, account=account)
    lapsed = InvitationFactory(account=account)  # still pending, past its expiry
    Invitation.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    InvitationFactory(account=account, status="expired")  # listed: nothing replaced it
    PendingInvitationCount.objects.filter(account=account).update(pending=40)  # a marker

    page = numbers(account, MemberFilter())

    assert page.invitations == 40 + 1  # the kept pending count, plus the expired one
    assert page.seats_used == 40 - 1  # pending ones past their expiry hold no seat


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_invitations_and_cancellations_lose_no_update():
    account = AccountFactory()
    cancelled = InvitationFactory.create_batch(6, account=account)
    start = threading.Barrier(6)

    def work(worker, cancel):
        start.wait(5)
        for n in range(3):
            with transaction.atomic():
                InvitationFactory(account=account, email=f"w{worker}-{n}@example.test")
                if n == 0:
                    Invitation.objects.filter(pk=cancel.pk).update(status="cancelled")

    assert not run_in_threads(*(partial(work, i, cancelled[i]) for i in range(6)))
    assert Invitation.objects.filter(account=account, status="pending").count() == 18
    assert kept(account) == 18


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_truncate_empties_the_counts():
    InvitationFactory.create_batch(2, account=AccountFactory())
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE invitations_invitation CASCADE")
    assert not PendingInvitationCount.objects.exists()


def test_reconcile_corrects_counts_that_bypassed_triggers():
    drifted, right = AccountFactory(), AccountFactory()
    InvitationFactory.create_batch(3, account=drifted)
    InvitationFactory(account=right)
    with triggers_off(connection), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invitations_invitation SET status = 'cancelled' WHERE id IN"
            " (SELECT id FROM invitations_invitation WHERE account_id = %s LIMIT 2)",
            [drifted.pk],
        )
    assert kept(drifted) == 3  # wrong: one is pending

    out = io.StringIO()
    call_command("reconcile_member_counts", stdout=out)

    assert f"account {drifted.pk}: pending invitations were 3, set to 1" in out.getvalue()
    assert "1 pending-invitation count(s) corrected." in out.getvalue()
    assert_kept_equals_rows(drifted, right)


def test_reconcile_finds_nothing_where_the_triggers_kept_the_counts():
    from invitations.pending_counts import reconcile_pending_invitation_counts

    account = AccountFactory()
    InvitationFactory.create_batch(2, account=account)
    assert reconcile_pending_invitation_counts() == []
    assert_kept_equals_rows(account)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_moving_an_invitation_between_accounts_does_not_deadlock_with_new_invitations():
    """B invites into `low` (making its count row) and, before committing, into `high`; A
    moves a pending invitation from `high` to `low` meanwhile. A must take the count rows in
    account order (`low` first, where it waits for B), never `high` first."""
    low, high = sorted([AccountFactory(), AccountFactory()], key=lambda account: account.pk)
    moved = InvitationFactory(account=high)
    b_has_low = threading.Event()

    def invite_into_both():
        with transaction.atomic():
            InvitationFactory(account=low, email="b-low@example.test")
            b_has_low.set()
            with connections["default"].cursor() as cursor:
                wait_until_someone_waits_for_a_lock(cursor)  # A, on low's count
            InvitationFactory(account=high, email="b-high@example.test")

    def move():
        b_has_low.wait(5)
        Invitation.objects.filter(pk=moved.pk).update(account=low)

    assert run_in_threads(invite_into_both, move) == []
    assert (kept(low), kept(high)) == (2, 1)
    assert_kept_equals_rows(low, high)

"""Membership.user_email (the Users page's sort key) follows user.email, kept by triggers:
memberships migration 0002 on PostgreSQL, config/sqlite_triggers.py on SQLite."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import User
from memberships.models import Membership
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.locks import run_in_threads, wait_until_someone_waits_for_a_lock

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a lock wait shown by pg_stat_activity"
)


def stored_copy(membership) -> str:
    return Membership.objects.values_list("user_email", flat=True).get(pk=membership.pk)


def test_a_new_membership_takes_its_users_email():
    membership = MembershipFactory(user=UserFactory(email="first@example.test"))
    assert stored_copy(membership) == "first@example.test"


def test_bulk_created_memberships_take_their_users_emails():
    account = AccountFactory()
    users = UserFactory.create_batch(3)
    Membership.objects.bulk_create([Membership(user=u, account=account) for u in users])
    copies = dict(account.memberships.values_list("user__email", "user_email"))
    assert copies == {u.email: u.email for u in users}


def test_changing_a_users_email_updates_every_membership():
    user = UserFactory(email="old@example.test")
    first, second = MembershipFactory(user=user), MembershipFactory(user=user)
    user.email = "new@example.test"
    user.save()
    assert stored_copy(first) == stored_copy(second) == "new@example.test"
    User.objects.filter(pk=user.pk).update(email="raw@example.test")
    assert stored_copy(first) == "raw@example.test"


def test_saving_a_stale_membership_does_not_overwrite_the_copy():
    membership = MembershipFactory(user=UserFactory(email="kept@example.test"))
    membership.user_email = "stale@example.test"
    membership.role = "author"
    membership.save()
    assert stored_copy(membership) == "kept@example.test"


def test_users_page_orders_members_by_email_after_an_email_change(client_for, account, members):
    viewer = members["viewer"].user
    viewer.email = "aaa-first@example.test"
    viewer.save()
    body = client_for(members["owner"].user).get(f"/a/{account.slug}/users/").content.decode()
    rows = [line for line in body.splitlines() if "data-member=" in line]
    assert rows[0].strip().startswith('<tr data-member="aaa-first@example.test"')
    emails = [row.split('"')[1] for row in rows]
    assert emails == sorted(emails)


def test_moving_a_membership_to_another_user_takes_that_users_email():
    membership = MembershipFactory(user=UserFactory(email="before@example.test"))
    membership.user = UserFactory(email="after@example.test")
    membership.save()
    assert stored_copy(membership) == "after@example.test"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_email_change_racing_a_new_membership_still_reaches_it():
    """A changes the email and has not committed; B adds a membership for the same user.
    B must wait for A (FOR SHARE in the trigger) and store the new email, not the old."""
    from django.db import connections

    user = UserFactory(email="old@example.test")
    account = AccountFactory()
    a_updated = threading.Event()

    def change_email():
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(email="new@example.test")
            a_updated.set()
            with connections["default"].cursor() as cursor:
                wait_until_someone_waits_for_a_lock(cursor)  # B, on this transaction

    def add_membership():
        a_updated.wait(5)
        Membership.objects.create(user_id=user.pk, account=account)

    assert run_in_threads(change_email, add_membership, timeout=10) == []
    membership = Membership.objects.get(user_id=user.pk, account=account)
    assert stored_copy(membership) == "new@example.test"

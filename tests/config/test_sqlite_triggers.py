"""config/sqlite_triggers.py: on SQLite the triggers are dropped before every migrate and
created again after it, with what they keep recomputed (their behaviour is tested with the
PostgreSQL ones: tests/memberships/test_member_count.py, test_user_email_copy.py,
tests/invitations/test_pending_count.py)."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate, pre_migrate

from config import sqlite_triggers
from invitations.models import PendingInvitationCount
from memberships.models import MemberCount, Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="PostgreSQL keeps its triggers in migrations"
    ),
]


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall()}


def send(signal):
    signal.send(
        sender=apps.get_app_config("memberships"),
        app_config=apps.get_app_config("memberships"),
        verbosity=0,
        interactive=False,
        using=connection.alias,
        apps=apps,
        plan=[],
    )


def test_migrate_left_every_trigger_in_place():
    assert triggers() >= set(sqlite_triggers.TRIGGERS)


def test_migrate_drops_them_first_and_creates_them_after_with_what_they_keep_recomputed():
    account = AccountFactory()
    member = MembershipFactory(account=account, user=UserFactory(email="kept@example.test"))
    InvitationFactory.create_batch(2, account=account)

    send(pre_migrate)
    assert not triggers() & set(sqlite_triggers.TRIGGERS)
    # What a migration might write meanwhile: nothing keeps the copies or the counts.
    MembershipFactory(account=account)
    InvitationFactory(account=account)
    Membership.objects.filter(pk=member.pk).update(user_email="stale@example.test")
    assert MemberCount.objects.get(account=account).members == 1

    send(post_migrate)

    assert triggers() >= set(sqlite_triggers.TRIGGERS)
    assert MemberCount.objects.get(account=account).members == 2
    assert PendingInvitationCount.objects.get(account=account).pending == 3
    assert Membership.objects.get(pk=member.pk).user_email == "kept@example.test"
    MembershipFactory(account=account)  # and they work again
    assert MemberCount.objects.get(account=account).members == 3


def test_nothing_is_created_while_a_table_is_missing(monkeypatch):
    send(pre_migrate)
    monkeypatch.setattr(
        connection.introspection, "table_names", lambda *args, **kwargs: ["accounts_user"]
    )
    assert sqlite_triggers.create(connection) is False
    assert not triggers() & set(sqlite_triggers.TRIGGERS)


@pytest.mark.django_db(transaction=True)
def test_a_migration_that_rebuilds_their_tables_runs_and_they_come_back():
    """With the triggers left in place, going back to 0001 (dropping memberships_membercount,
    rebuilding memberships_membership without user_email) fails: "no such table"."""
    from django.core.management import call_command

    account = AccountFactory()
    MembershipFactory.create_batch(2, account=account)

    call_command("migrate", "memberships", "0001", verbosity=0)
    call_command("migrate", verbosity=0)

    assert triggers() >= set(sqlite_triggers.TRIGGERS)
    assert MemberCount.objects.get(account=account).members == 2
    assert set(Membership.objects.values_list("user_email", flat=True)) == set(
        Membership.objects.values_list("user__email", flat=True)
    )

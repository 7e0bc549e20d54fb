"""Repair of Membership.user_email (the Users page's sort key): memberships migration 0005 sets
the copies that migration 0002's backfill left empty on PostgreSQL, and `manage.py
reconcile_member_counts` repairs copies written with the triggers off."""

import io

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import User
from memberships.member_counts import reconcile_user_email_copies
from memberships.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.triggers import triggers_off

pytestmark = pytest.mark.django_db

# A database from before memberships 0002 (which needs accounts 0002), as it was then.
BEFORE_THE_COPY = [("memberships", "0001_initial"), ("accounts", "0001_initial")]


def migrate(targets):
    """Move the schema to `targets` as `manage.py migrate` does, with its pre- and post-migrate
    signals (on SQLite they drop the triggers and create them again: config/sqlite_triggers.py)."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    state = executor.loader.project_state(targets)
    emit_pre_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    executor.migrate(targets, plan=plan)
    emit_post_migrate_signal(0, False, connection.alias, apps=state.apps, plan=plan)
    return state.apps


def copies() -> dict[int, tuple[str, str]]:
    return {
        pk: (copy, email)
        for pk, copy, email in Membership.objects.values_list("pk", "user_email", "user__email")
    }


@pytest.mark.django_db(transaction=True)
def test_memberships_from_before_the_copy_get_their_users_emails_after_migrate(client_for):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE_THE_COPY)
        account = old.get_model("accounts", "Account").objects.create(
            name="Before", slug="before", plan="premium"
        )
        # Created out of email order, so an order by id (all copies equal) shows up.
        for email, role in [
            ("dora@example.test", "owner"),
            ("bob@example.test", "viewer"),
            ("carl@example.test", "admin"),
            ("alice@example.test", "author"),
        ]:
            user = old.get_model("accounts", "User").objects.create(email=email, password="!")
            old.get_model("memberships", "Membership").objects.create(
                user=user, account=account, role=role
            )
    finally:
        migrate(leaves)

    wrong = {pk: pair for pk, pair in copies().items() if pair[0] != pair[1]}
    assert wrong == {}, f"{len(wrong)} of {len(copies())} copies differ from the user's email"
    owner = User.objects.get(email="dora@example.test")
    body = client_for(owner).get("/a/before/users/").content.decode()
    shown = [line.split('"')[1] for line in body.splitlines() if "data-member=" in line]
    assert shown == [
        "alice@example.test",
        "bob@example.test",
        "carl@example.test",
        "dora@example.test",
    ]


@pytest.mark.django_db(transaction=True)
def test_reconcile_repairs_copies_written_with_the_triggers_off():
    """Committed rows, as at a deploy: inside a test's transaction the factories' foreign key
    checks would still be pending, and PostgreSQL alters no table with pending trigger events."""
    wrong, emptied, right = MembershipFactory.create_batch(3)
    with triggers_off(connection):
        Membership.objects.filter(pk=wrong.pk).update(user_email="someone-else@example.test")
        Membership.objects.filter(pk=emptied.pk).update(user_email="")
    assert copies()[wrong.pk] == ("someone-else@example.test", wrong.user.email)

    out = io.StringIO()
    call_command("reconcile_member_counts", stdout=out)

    assert all(copy == email for copy, email in copies().values())
    assert f"membership {wrong.pk}: email copy was another address, set to its user's" in (
        out.getvalue()
    )
    assert f"membership {emptied.pk}: email copy was empty, set to its user's" in out.getvalue()
    assert f"membership {right.pk}:" not in out.getvalue()
    assert "2 membership email copies corrected." in out.getvalue()


def test_reconcile_finds_no_copy_to_repair_where_the_triggers_kept_them():
    user = UserFactory(email="before@example.test")
    MembershipFactory.create_batch(2, user=user)
    user.email = "after@example.test"
    user.save()
    assert reconcile_user_email_copies() == []

"""config/sql.py: instances built from hand-written SQL are the instances the ORM returns."""

import pytest
from django.db import connection
from django.db.models import signals

from accounts.models import User
from config.sql import columns, cursor
from memberships.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = ("id", "user", "account", "role", "status", "created_at")


def fetch(model, only=()):
    cols = columns(connection, model, "t", only)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols.sql} FROM {model._meta.db_table} t ORDER BY t.id")
        return [cols.instance(model, connection, row) for row in cursor.fetchall()]


def test_plain_models_are_built_without_init_and_equal_the_orm_instances():
    MembershipFactory.create_batch(3)
    assert columns(connection, Membership, "t", FIELDS).plain

    built = fetch(Membership, FIELDS)

    expected = list(Membership.objects.only(*FIELDS).order_by("id"))
    assert [vars(m) | {"_state": None} for m in built] == [
        vars(m) | {"_state": None} for m in expected
    ]
    for member in built:
        assert member._state.adding is False
        assert member._state.db == connection.alias
        assert member.get_deferred_fields() == {"user_email"}


def test_a_deferred_field_is_loaded_on_first_read(django_assert_num_queries):
    UserFactory(email="deferred@example.test", time_zone="Asia/Tokyo")
    user = fetch(User, ("id", "email"))[0]

    assert user.email == "deferred@example.test"
    with django_assert_num_queries(1):
        assert user.time_zone == "Asia/Tokyo"


def test_related_objects_resolve_and_instances_save_as_the_orm_ones_do():
    membership = MembershipFactory(role="viewer")
    member = fetch(Membership, FIELDS)[0]

    assert member.user == membership.user
    member.role = "author"
    member.save(update_fields=["role"])
    membership.refresh_from_db()
    assert membership.role == "author"


def test_with_an_init_signal_receiver_instances_come_from_from_db():
    UserFactory.create_batch(2)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=User)
    try:
        users = fetch(User)
    finally:
        signals.post_init.disconnect(receiver, sender=User)

    assert len(users) == 2
    assert [user.pk for user in seen] == [user.pk for user in users]


# --- cursor(prepare=...) ------------------------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
MEMBERS_OF = (
    "SELECT t.id, t.role FROM memberships_membership t WHERE t.account_id = %s ORDER BY t.id"
)


def prepared_statements() -> dict[str, tuple[int, int]]:
    """{statement text: (generic plans, custom plans)} of this connection."""
    with connection.cursor() as plain:
        plain.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {text: (generic, custom) for text, generic, custom in plain.fetchall()}


def run(prepare: bool, account_id: int) -> list:
    with cursor(connection, prepare=prepare) as statement:
        statement.execute(MEMBERS_OF, [account_id])
        return statement.fetchall()


def test_a_prepared_statement_returns_what_a_plain_one_does_and_is_counted(
    django_assert_num_queries,
):
    first = MembershipFactory(role="viewer")
    MembershipFactory(account=first.account, role="author")
    other = MembershipFactory(role="admin")

    with django_assert_num_queries(2):
        prepared = [run(True, first.account_id), run(True, other.account_id)]

    assert prepared == [run(False, first.account_id), run(False, other.account_id)]
    assert [role for _, role in prepared[0]] == ["viewer", "author"]
    assert prepared[1] == [(other.pk, "admin")]


@needs_postgresql
def test_on_postgresql_a_statement_is_prepared_once_and_runs_a_generic_plan():
    membership = MembershipFactory()
    for _ in range(3):
        run(True, membership.account_id)

    prepared = {text: plans for text, plans in prepared_statements().items() if "t.role" in text}
    assert list(prepared.values()) == [(3, 0)]  # one statement, three runs, never re-planned


@needs_postgresql
def test_without_prepare_or_with_prepared_statements_off_nothing_is_prepared():
    membership = MembershipFactory()
    run(False, membership.account_id)
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None  # DB_PREPARED_STATEMENTS=0
    try:
        assert run(True, membership.account_id) == [(membership.pk, membership.role)]
    finally:
        raw.prepare_threshold = threshold

    assert not [text for text in prepared_statements() if "t.role" in text]

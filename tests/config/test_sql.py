"""config/sql.py: instances built from hand-written SQL are the instances the ORM returns."""

import pytest
from django.db import connection
from django.db.models import signals

from accounts.models import User
from config.sql import columns
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

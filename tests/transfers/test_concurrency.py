"""Accepting a transfer racing a level change of the target leaves exactly one Owner
(PostgreSQL row locks, real threads)."""

import pytest
from django.db import connection

from memberships.exceptions import MembershipError
from memberships.models import Membership
from people import services as people
from tests.factories import AccountFactory, MembershipFactory
from tests.locks import run_in_threads
from transfers import services
from transfers.models import OwnershipTransfer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.mark.parametrize("attempt", range(4))
def test_accepting_racing_a_level_change_of_the_target_leaves_exactly_one_owner(attempt):
    account = AccountFactory()
    owner = MembershipFactory(account=account, role="owner")
    admin = MembershipFactory(account=account, role="admin")
    transfer = services.start_transfer(
        account=account, new_owner_membership_id=admin.pk, actor=owner.user
    )
    # Alternate who changes the target's level: the Owner (who is stepping down) or another
    # Admin; alternate who starts first.
    changer = owner.user if attempt % 2 else MembershipFactory(account=account, role="admin").user
    accept = lambda: services.accept_transfer(  # noqa: E731
        account=account, transfer_id=transfer.pk, actor=admin.user
    )
    demote = lambda: people.change_level(  # noqa: E731
        account=account, membership_id=admin.pk, level="viewer", actor=changer
    )
    errors = run_in_threads(*((accept, demote) if attempt < 2 else (demote, accept)))
    roles = dict(Membership.objects.filter(account=account).values_list("pk", "role"))
    assert list(roles.values()).count("owner") == 1, (roles, errors)
    assert len(errors) == 1 and isinstance(errors[0], MembershipError), errors
    status = OwnershipTransfer.objects.get(pk=transfer.pk).status
    if roles[admin.pk] == "owner":  # the acceptance won; the new Owner cannot be demoted
        assert roles[owner.pk] == "admin" and status == "accepted"
    else:  # the demotion won and cancelled the offer; the acceptance changed nothing
        assert (roles[owner.pk], roles[admin.pk]) == ("owner", "viewer")
        assert status == "cancelled"

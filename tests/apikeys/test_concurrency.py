import threading

import pytest
from django.db import close_old_connections, connection

from apikeys import services
from apikeys.exceptions import ApiKeyError
from apikeys.models import ApiKey
from memberships.models import Membership
from people import services as membership_services
from tests.factories import AccountFactory, MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(*functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except ApiKeyError as error:  # the expected refusal when the revoke wins
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.parametrize("round_", range(5))
def test_a_key_is_never_left_behind_for_a_member_revoked_at_the_same_moment(round_):
    account = AccountFactory()
    owner = MembershipFactory(account=account, role="owner").user
    admin_m = MembershipFactory(account=account, role="admin")

    run_together(
        lambda: services.create_key(account=account, name="race", actor=admin_m.user),
        lambda: membership_services.revoke_member(
            account=account, membership_id=admin_m.pk, actor=owner
        ),
    )

    assert not Membership.objects.filter(pk=admin_m.pk).exists()
    assert not ApiKey.objects.filter(account=account, created_by=admin_m.user).exists()

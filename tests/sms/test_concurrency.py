"""Races on PostgreSQL with real threads: codes asked for at once still honour the send
limit, and wrong codes tried at once are all counted."""

import threading

import pytest
from django.db import connection

from sms import services
from sms.exceptions import SendLimitReached
from sms.models import Challenge, Purpose
from tests.factories import UserFactory
from tests.locks import run_in_threads
from tests.sms.conftest import last_code, other_code

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]
BIND = services.binding("login", "race")


def test_codes_asked_for_at_once_send_one(sms_user):
    user = UserFactory()
    sms_user(user)
    start = threading.Barrier(4)

    def ask():
        start.wait()
        services.send_code(user=user, purpose=Purpose.LOGIN, bound_to=BIND)

    errors = run_in_threads(*[ask] * 4)
    assert len(errors) == 3 and all(isinstance(e, SendLimitReached) for e in errors), errors
    assert Challenge.objects.filter(user=user).count() == 1


def test_wrong_codes_tried_at_once_are_each_counted(sms_user, sms_outbox):
    user = UserFactory()
    sms_user(user)
    services.send_code(user=user, purpose=Purpose.LOGIN, bound_to=BIND)
    wrong = other_code(last_code(sms_outbox))
    start = threading.Barrier(5)
    results = []

    def guess():
        start.wait()
        results.append(
            services.check_code(user=user, purpose=Purpose.LOGIN, bound_to=BIND, code=wrong)
        )

    assert run_in_threads(*[guess] * 5) == []
    assert Challenge.objects.get(user=user).wrong_tries == 5
    assert sorted(results).count(services.Check.TOO_MANY_TRIES) == 1

"""The rules for codes (issue 18, item 3), through the services a page calls: 6 random
digits, valid 5 minutes, stored only as a keyed hash, bound to what asked for it, single use,
5 wrong tries, and send limits per person, per number and per IP."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone

from config import request_context
from sms import services
from sms.exceptions import SendLimitReached
from sms.models import Challenge, Delivery, Purpose, SecurityAction, SecurityEvent
from tests.factories import UserFactory
from tests.sms.conftest import last_code, other_code

pytestmark = pytest.mark.django_db
Check = services.Check
BIND = services.binding("login", "attempt-1")


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def do(user, purpose=Purpose.LOGIN, bound_to=BIND):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_code(user=user, purpose=purpose, bound_to=bound_to)

    return do


def check(user, code, bound_to=BIND, purpose=Purpose.LOGIN):
    return services.check_code(user=user, purpose=purpose, bound_to=bound_to, code=code)


@pytest.fixture
def person(sms_user):
    user = UserFactory()
    sms_user(user)
    return user


def test_a_code_is_six_digits_and_works_once(person, send, sms_outbox):
    send(person)
    code = last_code(sms_outbox)
    assert len(code) == 6 and code.isdigit()
    assert sms_outbox[-1].to == "+34612345678"
    assert check(person, code) == Check.OK
    assert check(person, code) == Check.NO_CODE  # single use


def test_codes_differ_between_sends(person, send, sms_outbox):
    codes = set()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            send(person, bound_to=services.binding("login", len(codes)))
            codes.add(last_code(sms_outbox))
            clock.shift(timedelta(seconds=31))
    assert len(codes) >= 4  # random: five equal codes out of a million would be a bug


def test_a_code_expires_after_five_minutes(person, send, sms_outbox):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send(person)
        code = last_code(sms_outbox)
        clock.shift(timedelta(seconds=299))
        assert check(person, other_code(code)) == Check.WRONG
        clock.shift(timedelta(seconds=1))
        assert check(person, code) == Check.EXPIRED


def test_a_code_just_before_expiry_works(person, send, sms_outbox):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send(person)
        clock.shift(timedelta(seconds=299))
        assert check(person, last_code(sms_outbox)) == Check.OK


def test_five_wrong_codes_kill_the_code_and_are_in_the_history(person, send, sms_outbox):
    send(person)
    code = last_code(sms_outbox)
    for _ in range(4):
        assert check(person, other_code(code)) == Check.WRONG
    assert check(person, other_code(code)) == Check.TOO_MANY_TRIES
    assert check(person, code) == Check.TOO_MANY_TRIES  # even the right one, now
    assert (
        SecurityEvent.objects.filter(user=person, action=SecurityAction.TOO_MANY_TRIES).count() == 1
    )


def test_a_code_is_bound_to_the_attempt_that_asked(person, send, sms_outbox):
    send(person, bound_to=services.binding("login", "attempt-A"))
    code = last_code(sms_outbox)
    assert check(person, code, bound_to=services.binding("login", "attempt-B")) == Check.NO_CODE
    assert (
        check(person, code, purpose=Purpose.REAUTH, bound_to=services.binding("login", "attempt-A"))
        == Check.NO_CODE
    )
    assert check(person, code, bound_to=services.binding("login", "attempt-A")) == Check.OK


def test_a_new_code_replaces_the_old_one(person, send, sms_outbox):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send(person)
        first = last_code(sms_outbox)
        clock.shift(timedelta(seconds=30))
        send(person)
        second = last_code(sms_outbox)
        if first != second:
            assert check(person, first) == Check.WRONG
        assert check(person, second) == Check.OK


def test_one_code_per_30_seconds_per_person_with_the_wait_in_the_message(person, send):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send(person)
        clock.shift(timedelta(seconds=12))
        with pytest.raises(SendLimitReached) as refused:
            send(person)
        assert refused.value.wait_seconds == 18
        assert refused.value.message == "A new code can be sent in 18 s."
        clock.shift(timedelta(seconds=18))
        send(person)
    assert Challenge.objects.filter(user=person).count() == 2


def test_five_codes_an_hour_per_person(person, send):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            send(person)
            clock.shift(timedelta(seconds=60))
        with pytest.raises(SendLimitReached) as refused:
            send(person)
        assert refused.value.wait_seconds == 3600 - 5 * 60
        clock.shift(timedelta(seconds=3600 - 5 * 60))
        send(person)


def test_the_number_is_limited_across_people(sms_user, send):
    first, second = UserFactory(), UserFactory()
    sms_user(first)
    sms_user(second)  # the same number
    with time_machine.travel(timezone.now(), tick=False):
        send(first)
        with pytest.raises(SendLimitReached):
            send(second)


def test_the_client_ip_is_limited_across_people_and_numbers(sms_user, send, settings):
    settings.SMS_SENDS_PER_IP_PER_HOUR = 3
    token = request_context._client_ip.set("203.0.113.9")
    try:
        with time_machine.travel(timezone.now(), tick=False):
            for n in range(3):
                user = UserFactory()
                sms_user(user, number=f"+3461234567{n}")
                send(user)
            user = UserFactory()
            sms_user(user, number="+34612345679")
            with pytest.raises(SendLimitReached):
                send(user)
    finally:
        request_context._client_ip.reset(token)


def test_a_provider_failure_does_not_make_the_person_wait_30_seconds(person, send, settings):
    settings.SMS_BACKEND = "tests.sms.test_codes.FailingBackend"
    with time_machine.travel(timezone.now(), tick=False):
        challenge = send(person)
        challenge.refresh_from_db()
        assert challenge.delivery == Delivery.FAILED
        assert challenge.code_hash == ""
        settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
        send(person)  # at once


class FailingBackend:
    def send_messages(self, messages):
        from sms.exceptions import DeliveryFailed

        raise DeliveryFailed("Twilio refused the message: HTTP 500.")


def _every_stored_value() -> str:
    """Every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_code_is_in_no_table_and_no_log(person, send, sms_outbox, caplog, settings):
    import re

    caplog.set_level(logging.DEBUG)
    send(person)
    code = last_code(sms_outbox)
    assert check(person, other_code(code)) == Check.WRONG
    challenge = Challenge.objects.get(user=person)
    assert challenge.code_hash and code not in challenge.code_hash
    alone = re.compile(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])")
    assert not alone.search(_every_stored_value())
    assert code not in caplog.text
    assert apps.get_model("sms", "Challenge")  # the table was in the dump
    # A failed delivery logs the reason, never the code.
    settings.SMS_BACKEND = "tests.sms.test_codes.FailingBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):
        send(person, bound_to=services.binding("login", "attempt-2"))
    assert "not delivered" in caplog.text
    assert not re.search(r"\b\d{6}\b", caplog.text)


@pytest.mark.django_db(transaction=True)  # the worker commits and closes connections
def test_through_the_database_queue_the_code_is_made_by_the_worker_and_stored_nowhere(
    person, sms_outbox, settings
):
    """Production's queue (django-tasks-db) keeps task rows in the database: they hold the
    challenge id only; the worker makes the code, sends it and stores its hash."""
    import re

    from django.core.management import call_command

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    # (django.tasks.signals resets the backends when the TASKS setting changes)
    services.send_code(user=person, purpose=Purpose.LOGIN, bound_to=BIND)
    assert sms_outbox == []  # queued, not sent
    assert '"challenge_id"' in _every_stored_value()
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    code = last_code(sms_outbox)
    assert not re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", _every_stored_value())
    assert check(person, code) == Check.OK


def test_the_scheduled_purge_keeps_a_day_of_challenges(person, send):
    from django.core.management import call_command

    with time_machine.travel(timezone.now(), tick=False) as clock:
        send(person)
        clock.shift(timedelta(hours=23))
        call_command("purge_sms_codes")
        assert Challenge.objects.count() == 1
        clock.shift(timedelta(hours=2))
        call_command("purge_sms_codes")
        assert Challenge.objects.count() == 0


def test_make_worker_runs_the_purge():
    from people.management.commands.run_scheduled_jobs import JOBS

    assert "purge_sms_codes" in JOBS

"""Send limits through the pages and the real middleware (issue 18, item 3): nobody can use
up a person's sign-in codes by claiming their number; verification codes to one number are
limited across everyone who claims it; the per-IP limit reads the client address of the
request (an IPv6 client by its /64)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sms.models import Challenge, Purpose
from sms.services import ip_bucket
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.sms.conftest import last_code

pytestmark = pytest.mark.django_db

PROFILE = "/settings/profile/"
VERIFY = "/accounts/2fa/sms/verify/"
LOGIN = "/accounts/login/"
SMS_AUTHENTICATE = "/accounts/2fa/sms/authenticate/"
VICTIM_NUMBER = "+34612345678"
LIMIT_MESSAGE = "A new code can be sent in"


def profile_data(mobile):
    return {"first_name": "Ana", "last_name": "", "mobile": mobile, "time_zone": "UTC"}


def texts_to(outbox, number):
    return [message for message in outbox if message.to == number]


def test_claiming_someone_elses_number_neither_locks_them_out_nor_spams_them(
    sms_user, client_for, sms_outbox, Client, settings
):
    victim = MembershipFactory()
    sms_user(victim.user, number=VICTIM_NUMBER)
    attacker = client_for(UserFactory(mobile=""))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attacker.post(PROFILE, profile_data(VICTIM_NUMBER))  # sends a verification code
        for _ in range(4):
            clock.shift(timedelta(seconds=31))
            attacker.post(VERIFY, {"resend": "1"})
        verify_texts = texts_to(sms_outbox, VICTIM_NUMBER)
        assert len(verify_texts) == settings.SMS_VERIFY_SENDS_PER_NUMBER_PER_HOUR == 3
        response = attacker.post(VERIFY, {"resend": "1"}, follow=True)
        assert LIMIT_MESSAGE in response.content.decode()
        # The owner still signs in by text message at once.
        clock.shift(timedelta(seconds=31))
        client = Client()
        client.post(LOGIN, {"login": victim.user.email, "password": TEST_PASSWORD})
        page = client.get(SMS_AUTHENTICATE).content.decode()
        assert LIMIT_MESSAGE not in page
        assert len(texts_to(sms_outbox, VICTIM_NUMBER)) == 4
        response = client.post(SMS_AUTHENTICATE, {"code": last_code(sms_outbox)})
        assert response.status_code == 302
    assert Challenge.objects.filter(user=victim.user, purpose=Purpose.LOGIN).count() == 1


def test_verification_codes_to_one_number_are_limited_across_claimants(client_for, sms_outbox):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            client_for(UserFactory(mobile="")).post(PROFILE, profile_data(VICTIM_NUMBER))
            clock.shift(timedelta(seconds=31))
        response = client_for(UserFactory(mobile="")).post(
            PROFILE, profile_data(VICTIM_NUMBER), follow=True
        )
        assert LIMIT_MESSAGE in response.content.decode()
    assert len(texts_to(sms_outbox, VICTIM_NUMBER)) == 3


def _verify_new_number_from(client_for, ip: str, n: int):
    client = client_for(UserFactory(mobile=""))
    return client.post(PROFILE, profile_data(f"+3461234560{n}"), follow=True, REMOTE_ADDR=ip)


def test_the_per_ip_limit_counts_the_address_of_the_request(client_for, sms_outbox, settings):
    settings.SMS_SENDS_PER_IP_PER_HOUR = 3
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(3):
            page = _verify_new_number_from(client_for, "203.0.113.9", n)
            assert LIMIT_MESSAGE not in page.content.decode()
        page = _verify_new_number_from(client_for, "203.0.113.9", 3)
        assert LIMIT_MESSAGE in page.content.decode()
        page = _verify_new_number_from(client_for, "203.0.113.10", 4)  # another client
        assert LIMIT_MESSAGE not in page.content.decode()
    assert len(sms_outbox) == 4
    assert set(Challenge.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.9",
        "203.0.113.10",
    }


def test_an_ipv6_client_is_limited_by_its_64(client_for, sms_outbox, settings):
    settings.SMS_SENDS_PER_IP_PER_HOUR = 3
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(3):
            page = _verify_new_number_from(client_for, f"2001:db8:1:2::{n + 1:x}", n)
            assert LIMIT_MESSAGE not in page.content.decode()
        page = _verify_new_number_from(client_for, "2001:db8:1:2:ffff::99", 3)
        assert LIMIT_MESSAGE in page.content.decode()
        page = _verify_new_number_from(client_for, "2001:db8:1:3::1", 4)  # the next /64
        assert LIMIT_MESSAGE not in page.content.decode()
    assert len(sms_outbox) == 4


def test_ip_buckets():
    assert ip_bucket("203.0.113.9") == "203.0.113.9"
    assert ip_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert ip_bucket("::ffff:203.0.113.9") == "203.0.113.9"
    assert ip_bucket(None) == ""

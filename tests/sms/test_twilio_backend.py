"""The Twilio backend against a local HTTP server on 127.0.0.1 that records each request and
answers as told: success, 4xx, 5xx, or too late."""

import base64
import time

import pytest

from sms.backends import TextMessage, get_backend
from sms.exceptions import DeliveryFailed


def send():
    get_backend().send_messages([TextMessage(to="+34612345678", body="Your code is 123456.")])


def test_success_posts_the_message_with_basic_auth(twilio):
    send()
    [request] = twilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0123456789/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC0123456789:token-secret").decode()
    assert request["form"] == {
        "To": "+34612345678",
        "From": "+15005550006",
        "Body": "Your code is 123456.",
    }


def test_a_messaging_service_is_sent_as_such(twilio, settings):
    settings.SMS_TWILIO_FROM = "MG0123"
    settings.SMS_TWILIO_API_KEY_SID = "SK0123"
    send()
    [request] = twilio.requests
    assert request["form"]["MessagingServiceSid"] == "MG0123" and "From" not in request["form"]
    assert request["auth"] == "Basic " + base64.b64encode(b"SK0123:token-secret").decode()


def test_a_4xx_is_a_delivery_failure_naming_twilios_code_not_the_body(twilio):
    twilio.status = 400
    twilio.body = {"code": 21211, "message": "The 'To' number is not valid. Body: 123456"}
    with pytest.raises(DeliveryFailed) as failure:
        send()
    assert failure.value.message == "Twilio refused the message: HTTP 400, error 21211."
    assert "123456" not in str(failure.value)


def test_a_5xx_is_a_delivery_failure(twilio):
    twilio.status = 503
    twilio.body = {}
    with pytest.raises(DeliveryFailed, match="HTTP 503"):
        send()


def test_no_answer_in_time_is_a_delivery_failure(twilio):
    twilio.delay = 1.5
    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="did not answer in time"):
        send()
    assert time.monotonic() - started < 1.4


def test_nothing_listening_is_a_delivery_failure(twilio, settings):
    twilio.close()
    with pytest.raises(DeliveryFailed, match="could not be reached"):
        send()


def test_an_error_answer_that_is_not_a_json_object_is_a_delivery_failure(twilio):
    twilio.status = 500
    twilio.body = ["an outage page", 123456]
    with pytest.raises(DeliveryFailed) as failure:
        send()
    assert failure.value.message == "Twilio refused the message: HTTP 500."

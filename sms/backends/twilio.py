"""Twilio's Messages API over plain HTTPS with `requests`.

POST {SMS_TWILIO_BASE_URL}/2010-04-01/Accounts/{sid}/Messages.json, HTTP Basic auth with the
account SID (or an API key SID) and its secret, form fields To, Body and From (a number) or
MessagingServiceSid (an "MG..." id). The official `twilio` client builds its URLs from fixed
domains, with no documented setting for the base URL, and brings aiohttp and PyJWT for one
request; the base URL has to be a setting so tests run against a local server.
"""

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sms.backends.base import BaseSmsBackend
from sms.exceptions import DeliveryFailed


class SmsBackend(BaseSmsBackend):
    def __init__(self):
        self.account_sid = settings.SMS_TWILIO_ACCOUNT_SID
        self.username = settings.SMS_TWILIO_API_KEY_SID or self.account_sid
        self.secret = settings.SMS_TWILIO_AUTH_TOKEN
        self.sender = settings.SMS_TWILIO_FROM
        if not (self.account_sid and self.secret and self.sender):
            raise ImproperlyConfigured(
                "Twilio needs SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_FROM."
            )
        base = settings.SMS_TWILIO_BASE_URL.rstrip("/")
        self.url = f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        self.timeout = settings.SMS_TIMEOUT

    def send_messages(self, messages) -> int:
        with requests.Session() as session:
            session.auth = (self.username, self.secret)
            for message in messages:
                self._send(session, message)
        return len(messages)

    def _send(self, session, message) -> None:
        sender = (
            {"MessagingServiceSid": self.sender}
            if self.sender.startswith("MG")
            else {"From": self.sender}
        )
        try:
            response = session.post(
                self.url,
                data={"To": message.to, "Body": message.body, **sender},
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise DeliveryFailed("Twilio did not answer in time.") from None
        except requests.RequestException as exc:
            raise DeliveryFailed(f"Twilio could not be reached ({type(exc).__name__}).") from None
        if response.status_code >= 300:
            # Twilio's error code, never its message text or our body: no code reaches a log.
            try:
                answer = response.json()
            except ValueError:
                answer = None
            # A proxy or an outage page may answer a list, a string or a number.
            error_code = answer.get("code", "") if isinstance(answer, dict) else ""
            raise DeliveryFailed(
                f"Twilio refused the message: HTTP {response.status_code}"
                + (f", error {error_code}" if error_code else "")
                + "."
            )

"""Pluggable text-message delivery, as django.core.mail does for email.

SMS_BACKEND names a class with `send_messages(messages) -> int`; `get_backend()` builds it.

- `sms.backends.console.SmsBackend`: prints each message (development only: it refuses to
  run with DEBUG off, so no code is ever written to a production log);
- `sms.backends.locmem.SmsBackend`: keeps messages in `sms.backends.locmem.outbox` (tests);
- `sms.backends.twilio.SmsBackend`: Twilio's Messages API over HTTP.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


def get_backend(path: str | None = None):
    return import_string(path or settings.SMS_BACKEND)()


def send_text(*, to: str, body: str) -> None:
    """Send one message; raises sms.exceptions.DeliveryFailed when the provider refuses it
    (any other exception is a bug or a misconfiguration: sms.tasks treats it as a failure
    too)."""
    get_backend().send_messages([TextMessage(to=to, body=body)])

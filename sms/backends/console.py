import sys
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sms.backends.base import BaseSmsBackend


class SmsBackend(BaseSmsBackend):
    """Writes each message to stdout, like Django's console email backend: `make run`
    shows the code. Refuses to run outside development, where that would log codes."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "The console text-message backend prints codes: it runs only with DEBUG on. "
                "Set SMS_BACKEND to a real provider (README, 'Text messages')."
            )
        self.stream = stream or sys.stdout

    def send_messages(self, messages) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(
                    f"-- Text message to {message.to} --\n{message.body}\n{'-' * 40}\n"
                )
            self.stream.flush()
        return len(messages)

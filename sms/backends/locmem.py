from sms.backends.base import BaseSmsBackend

# Messages "sent" in this process, oldest first (tests empty it: tests/sms/conftest.py).
outbox = []


class SmsBackend(BaseSmsBackend):
    """Keeps messages in memory, like django.core.mail's locmem backend."""

    def send_messages(self, messages) -> int:
        outbox.extend(messages)
        return len(messages)

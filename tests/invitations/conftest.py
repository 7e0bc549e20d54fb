import re
from smtplib import SMTPException

import pytest
from django.core.mail.backends.base import BaseEmailBackend

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/([A-Za-z0-9_\-]+)/")


class FailingBackend(BaseEmailBackend):
    """An email provider that is down."""

    def send_messages(self, email_messages):
        raise SMTPException("421 Service not available")


@pytest.fixture
def failing_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.invitations.conftest.FailingBackend"}}


def token_from(message) -> str:
    """The raw token in an invitation email's text part."""
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def inviter(members):
    """The Admin of `account` (premium: every level, unlimited seats)."""
    return members["admin"].user

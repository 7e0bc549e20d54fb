"""The verification link in the email allauth sends after a sign-up, followed as a person would."""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

_URL = re.compile(r"https?://\S+")


def _is_verification_link(path: str) -> bool:
    try:
        return resolve(path).url_name == "account_confirm_email"
    except Resolver404:
        return False


def verification_link(mailoutbox, email: str) -> str:
    """The path of the newest verification link sent to `email`."""
    for message in reversed(mailoutbox):
        if email not in message.to:
            continue
        for url in _URL.findall(message.body):
            path = urlsplit(url).path
            if _is_verification_link(path):
                return path
    raise AssertionError(f"no verification link was sent to {email}")


def follow_verification_link(client, mailoutbox, email: str):
    """Open the link (a page with a Confirm button) and press Confirm; returns that response."""
    link = verification_link(mailoutbox, email)
    assert client.get(link).status_code == 200
    return client.post(link)

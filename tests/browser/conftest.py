"""Playwright against the live server, with the system Chromium and an axe-core scan per page.

The scan also fails on anything the page's Content Security Policy refused (an inline style
or script), which Chromium reports on the console: every context made from the `browser`
fixture listens for those reports, whichever way a test opens its pages.
"""

import os
import re
import shutil
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


CSP_REPORT = "Content Security Policy"
# Page -> what its Content Security Policy refused since its last scan.
_csp_violations: dict = {}


def _record_csp_violation(message) -> None:
    if CSP_REPORT in message.text:
        where = (message.location or {}).get("url", "")
        _csp_violations.setdefault(message.page, []).append(f"{where}: {message.text}")


class _WatchedBrowser:
    """The Playwright browser, each of whose contexts reports CSP refusals to the scan."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", _record_csp_violation)
        return context

    def new_page(self, **kwargs):
        return self.new_context(**kwargs).new_page()

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install the Debian 'chromium' package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _WatchedBrowser(browser)
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Factory: a fresh, isolated browser context (its own cookies) per call."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def assert_accessible(page):
    """axe-core scan of the current page: no serious or critical violation, and nothing the
    Content Security Policy refused on this page since its last scan."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    # Popped after the scan's round trips, so every console report of the page has arrived.
    refused = "\n".join(_csp_violations.pop(page, []))
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(str(n.get("target")) for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"axe violations on {page.url}:\n{details}"
    assert not refused, f"Content Security Policy violations on {page.url}:\n{refused}"


@pytest.fixture
def axe():
    return assert_accessible


INVITATION_LINK = re.compile(r"https?://\S+/invitations/[A-Za-z0-9_\-]+/")


class Inbox:
    """What a local SMTP server (aiosmtpd on 127.0.0.1) received, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def links_for(self, address: str) -> dict[str, str]:
        """{account name in the subject: accept link} for the emails sent to `address`."""
        found = {}
        for message in self.messages:
            if message["To"] == address:
                text = message.get_body(preferencelist=("plain",)).get_content()
                found[message["Subject"]] = INVITATION_LINK.search(text).group(0)
        return found

    def subjects_for(self, address: str) -> list[str]:
        return [m["Subject"] for m in self.messages if m["To"] == address]

    def text_of(self, address: str, subject_part: str) -> str:
        for message in self.messages:
            if message["To"] == address and subject_part in message["Subject"]:
                return message.get_body(preferencelist=("plain",)).get_content()
        raise AssertionError(f"no email to {address} about {subject_part!r}")


@pytest.fixture
def smtp_inbox(settings, live_server):
    """Emails go over real SMTP to a local aiosmtpd server; links point at the live server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port},
        }
    }
    settings.SITE_URL = live_server.url
    yield inbox
    controller.stop()

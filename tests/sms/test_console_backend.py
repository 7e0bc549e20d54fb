"""`make run` shows the code on the console (the default backend in development), and the
console backend refuses to run in production, where it would log codes."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from sms.backends import TextMessage
from sms.backends.console import SmsBackend


def test_the_console_backend_prints_the_message(settings):
    settings.DEBUG = True
    stream = io.StringIO()
    SmsBackend(stream=stream).send_messages([TextMessage(to="+34612345678", body="Code 123456")])
    assert "Text message to +34612345678" in stream.getvalue()
    assert "Code 123456" in stream.getvalue()


def test_the_console_backend_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured):
        SmsBackend()


def _backend_for(**env) -> str:
    unset = {"ROSTER_TESTING", "DEBUG", "SMS_BACKEND"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    code = "from django.conf import settings; print(settings.SMS_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_development_prints_codes_and_production_uses_twilio():
    assert _backend_for(DEBUG="1") == "sms.backends.console.SmsBackend"
    assert (
        _backend_for(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="roster.example")
        == "sms.backends.twilio.SmsBackend"
    )

"""`PORT=<n> make run`: the link in an invitation email opens on the port the server runs on,
and what it prints before serving is one line per stage (no list of installed packages).

Runs the README's own command in a subprocess (its own SQLite file, email printed to the
console; `-W pyproject.toml` so the dependency stage runs as on a fresh clone), signs in as a
demo Owner over HTTP, invites someone, takes the link from the console output and follows it.
Bounded: the server gets START_TIMEOUT seconds to answer and is killed (its whole process
group, runserver's reloader included) in a `finally`.
"""

import os
import quopri
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

START_TIMEOUT = 120  # a cold `uv sync` and a fresh database's migrations fit in it

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs `make`")


def free_port() -> int:
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 8000:  # the default would prove nothing
            return port


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"make run exited ({server.returncode}):\n{log.read_text()}")
        try:
            if requests.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.25)  # polling a real server for readiness, not moving a clock
    pytest.fail(f"make run did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


# What `make run` prints before the server's own output, a line per stage, in order.
STAGES = [
    r"Installing dependencies \(uv sync\)",
    r"Migrating the database",
    r"Demo data: \d+ accounts .*",
    r"Serving Roster at {base}/ .*",
]


def assert_one_line_per_stage(log: Path, base: str) -> None:
    text = log.read_text()
    lines = text[: text.index("Serving Roster at")].splitlines()
    lines.append(text[text.index("Serving Roster at") :].splitlines()[0])
    expected = [stage.replace("{base}", re.escape(base)) for stage in STAGES]
    assert len(lines) == len(expected), f"not one line per stage:\n{text}"
    for line, stage in zip(lines, expected, strict=True):
        assert re.fullmatch(stage, line), f"{line!r} is not {stage!r}:\n{text}"


def emailed_links(log: Path, base: str) -> list[str]:
    text = quopri.decodestring(log.read_bytes()).decode("utf-8", "replace")
    return re.findall(rf"{re.escape(base)}/invitations/[A-Za-z0-9_\-]+/", text)


def test_invitation_link_from_make_run_on_another_port_opens(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ROSTER_TESTING", "SITE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env.update(
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_URL="consolemail://",
        TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "-W", "pyproject.toml", "run"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(base, server, log)
        assert_one_line_per_stage(log, base)
        owner = requests.Session()
        login = owner.get(f"{base}/accounts/login/", timeout=10)
        signed_in = owner.post(
            f"{base}/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf(login.text),
                "login": "owner@acme.test",
                "password": "Roster-demo-2026!",
            },
            headers={"Referer": login.url},
            timeout=30,
        )
        assert signed_in.status_code == 200 and "/accounts/login/" not in signed_in.url
        form = owner.get(f"{base}/a/acme/users/invite/", timeout=10)
        assert form.status_code == 200, form.text[:500]
        account_id = re.search(r'name="accounts"[^>]*value="(\d+)"', form.text)
        account_id = account_id or re.search(r'value="(\d+)"[^>]*name="accounts"', form.text)
        invited = owner.post(
            form.url,
            {
                "csrfmiddlewaretoken": csrf(form.text),
                "emails": "first.hour@example.com",
                "accounts": [account_id.group(1)],
                "level": "author",
            },
            headers={"Referer": form.url},
            timeout=30,
        )
        assert invited.status_code == 200
        links = emailed_links(log, base)
        assert links, f"no invitation link to {base} in the console output:\n{log.read_text()}"
        invitee = requests.Session()
        opened = invitee.get(links[-1], timeout=10)
        assert opened.status_code == 200
        assert opened.url.startswith(base)
        assert "first.hour@example.com" in opened.text or "Acme Corp" in opened.text
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

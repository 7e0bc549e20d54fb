"""`make bench`: Roster under gunicorn against a bare logged-in Django view, 10 to 100,000 members.

Starts the production server (gunicorn -c config/gunicorn.conf.py, 2 workers, DEBUG=0, the
real middleware and PBKDF2 hasher) on a free port of 127.0.0.1, on PostgreSQL when DATABASE_URL
points there, else on a throwaway SQLite file under bench/.data/. Loads the data set with a bulk
loader (timed), then drives load from a separate process (bench/loadgen.py), interleaving the
scenarios in rounds (A B C ... A B C ...) after a warm-up, and ends with a soak. Writes
bench/results/latest.json and prints Markdown. Exits 1 when the soak sees a 5xx or a worker's
memory grows by more than 10% (the other targets are reported, met or missed).

Each round also runs one mixed stream (scenario "mechanisms") of hello, the Users pages and
the Users pages WITHOUT each hand-made mechanism (bench/variants.py, same server, bench-only
URLs): first pages at every size, last pages at the largest size (and at every size without
the email-order copy, the one that decides how a page is found). Mixed, every page of a
comparison sees the same machine at the same moment. The "mechanisms" section says, per
mechanism and size, both p50s and which of the Users page's targets the page misses only
without it.

Environment (all optional):
    DATABASE_URL            postgres://... to run on PostgreSQL (its bench rows are removed after)
    BENCH_ROUNDS            measured rounds per scenario (3)
    BENCH_ROUND_SECONDS     seconds per round (3)
    BENCH_WARMUP_SECONDS    seconds of unrecorded warm-up per scenario (1)
    BENCH_CONCURRENCY       concurrent clients in the rounds (2, one per worker)
    BENCH_SOAK_SECONDS      soak duration (60)
    BENCH_SOAK_CONCURRENCY  concurrent clients in the soak (4: both workers always busy)
    BENCH_SIZES             account sizes, comma-separated (10,1000,10000,100000)
    BENCH_MECHANISMS        mechanisms to measure without, comma-separated (all of
                            bench/variants.py; "none" for none)
    BENCH_MECHANISM_SECONDS seconds per round of the mixed stream that weighs them (60)
    BENCH_EVENTS            activity rows on the largest account (20000)
"""

import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)  # import bench.* as a package, never bench/ modules as top-level
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import stats  # noqa: E402

DATA_DIR = ROOT / "bench" / ".data"
RESULTS = ROOT / "bench" / "results" / "latest.json"
WORKERS = 2
CORES = 2
LOGIN_SECONDS = 6
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


_T0 = time.monotonic()


def log(message: str) -> None:
    print(f"bench [{time.monotonic() - _T0:5.0f} s]: {message}", file=sys.stderr, flush=True)


# --- Server environment --------------------------------------------------------------------


def server_environment(database_url: str) -> dict:
    """What gunicorn and the in-process measurements share: production settings from env."""
    env = {k: v for k, v in os.environ.items() if k != "ROSTER_TESTING"}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        # Invite POSTs only enqueue their emails (no worker runs during the benchmark).
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        # As behind one proxy: login's per-IP rate limit stays on, the clients are many IPs.
        TRUSTED_PROXY_COUNT="1",
        EMAIL_URL="consolemail://",
        LOG_LEVEL="ERROR",
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "--config",
        "config/gunicorn.conf.py",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    with log_path.open("a") as output:  # Django's error log goes to the workers' stderr
        process = subprocess.Popen(  # noqa: S603 (our own scripts, fixed argv)
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        if len(worker_pids(process.pid)) == WORKERS and _responds(port):
            return process
        time.sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")


def _responds(port: int) -> bool:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/accounts/login/")
        status = conn.getresponse().status
        conn.close()
    except OSError:
        return False
    return status == 200


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def worker_pids(master_pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in children.split()]


def worker_memory(master_pid: int) -> dict[int, dict[str, int]]:
    """{pid: {"rss_kb", "hwm_kb"}} of each gunicorn worker, from /proc/<pid>/status."""
    memory = {}
    for pid in worker_pids(master_pid):
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        memory[pid] = {
            "rss_kb": int(fields["VmRSS"].split()[0]),
            "hwm_kb": int(fields["VmHWM"].split()[0]),
        }
    return memory


# --- Data and in-process measurements -------------------------------------------------------


def setup_django(env: dict) -> None:
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import get_hasher

    # The benchmark's login figure is meaningless with a fast hasher.
    assert settings.PASSWORD_HASHERS[0] == PBKDF2, settings.PASSWORD_HASHERS
    assert get_hasher().algorithm == "pbkdf2_sha256"
    assert not settings.DEBUG


def prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def analyze_tables() -> None:
    """Planner statistics and visibility maps for the fresh rows, as a live database has them
    once autovacuum has passed: without them PostgreSQL reads 10,000 member rows from the
    heap (or sorts them) for one page instead of scanning the index alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def hash_seconds(password_hash: str, password: str, repeat: int = 5) -> float:
    """Median time of one check_password (what a login costs in hashing), in-process."""
    from django.contrib.auth.hashers import check_password

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert check_password(password, password_hash)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def count_queries(
    info: dict, urls: dict[str, str], invite_sink: dict
) -> tuple[dict[str, int], list[str]]:
    """Queries per request of each scenario, with django.test.Client in this process, and
    the variant pages whose HTML is not their page's (up to whitespace): a variant must
    change how the page is made, never what it shows."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench.loader import ADMIN_EMAIL, PASSWORD
    from bench.variants import normalised_html, page_of
    from invitations.models import Invitation

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=ADMIN_EMAIL))
    counts, pages = {}, {}
    for name, url in urls.items():
        for _ in range(2):  # the first request also records the session (once a minute)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {url} answered {response.status_code} in-process")
        counts[name] = len(queries)
        if name.startswith(("users_", "without_")):
            pages[name] = normalised_html(response.content)
        size = users_page_size(name)
        if size is not None and name.endswith("_first"):
            rows = response.content.count(b"data-member=")
            expected = min(25, info["sizes"][size]["members"])
            if rows != expected:
                raise RuntimeError(f"{name}: {rows} member rows, expected {expected}")

    inviter = Client(HTTP_HOST="127.0.0.1")
    inviter.force_login(User.objects.get(pk=invite_sink["user_id"]))
    with CaptureQueriesContext(connection) as queries:
        response = inviter.post(
            f"/a/{invite_sink['slug']}/users/invite/", invite_form(invite_sink, "inproc")
        )
    created = Invitation.objects.filter(account_id=invite_sink["pk"]).count()
    if response.status_code != 302 or created != 25:
        raise RuntimeError(f"invite POST in-process: {response.status_code}, {created} invitations")
    counts["invite_25"] = len(queries)

    with CaptureQueriesContext(connection) as queries:
        response = Client(HTTP_HOST="127.0.0.1").post(
            "/accounts/login/", {"login": ADMIN_EMAIL, "password": PASSWORD}
        )
    if response.status_code != 302:
        raise RuntimeError(f"login in-process answered {response.status_code}")
    counts["login"] = len(queries)
    differing = [
        name
        for name in pages
        if name.startswith("without_") and pages[name] != pages[page_of(name)]
    ]
    return counts, differing


def users_page_size(name: str) -> int | None:
    """The account size of a Users page scenario (`users_1000_first`,
    `without_counts_1000_last`), None for other scenarios."""
    parts = name.split("_")
    if parts[-1] not in ("first", "last") or parts[0] not in ("users", "without"):
        return None
    return int(parts[-2])


def invite_form(sink: dict, tag: str) -> dict:
    from bench.loader import EMAIL_DOMAIN

    return {
        "emails": "\n".join(f"{tag}-{sink['pk']}-{i:02d}@{EMAIL_DOMAIN}" for i in range(25)),
        "accounts": [str(sink["pk"])],
        "level": "viewer",
        "message": "",
    }


# --- Scenarios ------------------------------------------------------------------------------


MIX = "mechanisms"  # the scenario of mixed pages that weighs the hand-made mechanisms
# Last pages measured without these at every size (without the others: at the largest only).
LAST_PAGES_AT_EVERY_SIZE = ("email_copy",)


def variant_urls(info: dict, mechanisms) -> dict[str, str]:
    """{scenario: url} of the Users page without each mechanism: `without_{m}_{size}_first`
    at every size, `without_{m}_{size}_last` at the largest size (every size for
    LAST_PAGES_AT_EVERY_SIZE)."""
    from bench.variants import variant_path

    urls = {}
    for mechanism in mechanisms:
        for size, account in info["sizes"].items():
            page = variant_path(f"/a/{account['slug']}/users/", mechanism)
            urls[f"without_{mechanism}_{size}_first"] = page
            last_too = size == info["largest"] or mechanism in LAST_PAGES_AT_EVERY_SIZE
            if account["last_page"] > 1 and last_too:
                urls[f"without_{mechanism}_{size}_last"] = f"{page}?page={account['last_page']}"
    return urls


def build_scenarios(
    info: dict, sessions: dict[int, str], port: int, mechanisms=()
) -> tuple[list, dict]:
    """[(name, plan)] for the load generator, and {name: url} for the in-process counts."""
    from django.conf import settings

    cookie = settings.SESSION_COOKIE_NAME
    # The admin's browser, as after its first page: the session and the CSRF cookie (without
    # it every page with a form would mint a new CSRF secret, as only a first visit does).
    admin_cookie = (
        f"{cookie}={sessions[info['admin']['id']]};"
        f" {settings.CSRF_COOKIE_NAME}={secrets.token_hex(16)}"
    )
    origin = f"http://127.0.0.1:{port}"

    def get(path, session_cookie=admin_cookie):
        return {"method": "GET", "path": path, "headers": {"Cookie": session_cookie}}

    urls = {"hello": "/bench/hello/"}
    for size, account in info["sizes"].items():
        base = f"/a/{account['slug']}/users/"
        urls[f"users_{size}_first"] = base
        if account["last_page"] > 1:
            urls[f"users_{size}_last"] = f"{base}?page={account['last_page']}"
    largest = info["sizes"][info["largest"]]
    query = urllib.parse.urlencode({"q": info["search_q"]})
    urls[f"search_{info['largest']}"] = f"/a/{largest['slug']}/users/?{query}"
    urls[f"activity_{info['largest']}"] = f"/a/{largest['slug']}/activity/"

    scenarios = [
        (name, {"requests": [get(url)], "ok_statuses": [200]}) for name, url in urls.items()
    ]
    without = variant_urls(info, mechanisms)
    if without:
        # One stream mixing hello, the Users pages and the same pages without each mechanism,
        # in a fixed shuffled order: every page of a comparison sees the same machine at the
        # same moment (other work on it slows them all alike), which separate rounds did not.
        mixed = {
            name: url for name, url in urls.items() if name == "hello" or name.startswith("users_")
        }
        mixed.update(without)
        order = sorted(mixed)
        random.Random(MIX).shuffle(order)  # noqa: S311 (an order, not a secret)
        requests = [{**get(mixed[name]), "label": name} for name in order]
        scenarios.append((MIX, {"requests": requests, "ok_statuses": [200]}))
        urls.update(without)

    def post(path, fields, session_cookie=""):
        csrf = secrets.token_hex(16)  # a 32-character CSRF secret, as the cookie carries
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": csrf}, doseq=True)
        cookies = f"{settings.CSRF_COOKIE_NAME}={csrf}"
        if session_cookie:
            cookies += f"; {session_cookie}"
        headers = {
            "Cookie": cookies,
            "Origin": origin,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        return {"method": "POST", "path": path, "headers": headers, "body": body}

    invites = [
        post(
            f"/a/{sink['slug']}/users/invite/",
            invite_form(sink, "load"),
            f"{cookie}={sessions[sink['user_id']]}",
        )
        for sink in info["invite_accounts"][:-1]  # the last one is for the in-process count
    ]
    scenarios.append(("invite_25", {"requests": invites, "mode": "once", "ok_statuses": [302]}))
    from bench import loader

    # Many people signing in, each once: one person signing in again and again would
    # measure allauth's per-login listing of that person's sessions, which grows with each.
    largest_size = info["largest"]
    logins = [
        post("/accounts/login/", {"login": email, "password": info["admin"]["password"]})
        for email in loader.member_emails(largest_size, count=min(largest_size - 1, 5_000))
    ]
    scenarios.append(("login", {"requests": logins, "ok_statuses": [302]}))
    return scenarios, urls


def run_round(port: int, plan: dict, duration: float, concurrency: int) -> dict:
    payload = {**plan, "port": port, "duration_s": duration, "concurrency": concurrency}
    process = subprocess.run(  # noqa: S603 (our own scripts, fixed argv)
        [sys.executable, str(ROOT / "bench" / "loadgen.py")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=duration + 300,
        check=True,
    )
    return json.loads(process.stdout)


class InvitePool:
    """Hands each round its own slice of invite POSTs (each account takes one batch)."""

    def __init__(self, requests: list, slices: int):
        self.requests = requests
        self.size = max(1, len(requests) // slices)
        self.next = 0

    def take(self) -> list:
        chunk = self.requests[self.next : self.next + self.size]
        self.next += self.size
        return chunk


def run_hashrate(hash_plan: dict, seconds: float) -> dict:
    process = subprocess.run(  # noqa: S603 (our own scripts, fixed argv)
        [sys.executable, str(ROOT / "bench" / "hashrate.py")],
        input=json.dumps({**hash_plan, "seconds": seconds, "processes": CORES}),
        capture_output=True,
        text=True,
        timeout=seconds + 300,
        check=True,
    )
    return json.loads(process.stdout)


def run_rounds(
    scenarios, port, master_pid, *, rounds, seconds, warmup, concurrency, hash_plan, mix_seconds
) -> tuple[dict, float, float, dict]:
    """Every scenario once per round, in the same order, round after round; after the logins,
    a round of bare hashing on CORES processes (the logins' ceiling under the same load) and
    the time of one hash in this process. The MIX scenario runs `mix_seconds` a round.
    Returns the table, both hash figures, each the median over the rounds, so the machine's
    drift during the run touches them as it touches the logins, and the MIX scenario's
    table by page."""
    invite_plan = dict(scenarios)["invite_25"]
    pool = InvitePool(invite_plan["requests"], rounds + 1)
    xff = iter(range(0, 10**9, 100_000))
    results = {name: [] for name, _ in scenarios}
    rss_after = {name: 0 for name, _ in scenarios}
    hash_rates, hash_times = [], []

    def plan_for(name, plan):
        if name == "invite_25":
            return {**plan, "requests": pool.take()}
        if name == "login":
            return {**plan, "xff_start": next(xff)}
        return plan

    log(f"warm-up: {warmup:g} s per scenario ({warmup * 10:g} s for the mixed pages)")
    for name, plan in scenarios:
        duration = warmup * 10 if name == MIX else warmup
        outcome = run_round(port, plan_for(name, plan), duration, concurrency)
        if outcome["errors"]:
            log(
                f"  warm-up {name}: {outcome['errors']} errors, e.g. {outcome['failures'][0][:200]}"
            )
    for index in range(rounds):
        log(f"round {index + 1}/{rounds}: {len(scenarios)} scenarios x {seconds:g} s")
        for name, plan in scenarios:
            # Logins take a hash (~1 s) each: longer rounds, or they count only a handful.
            duration = max(seconds, LOGIN_SECONDS) if name == "login" else seconds
            if name == MIX:
                duration = mix_seconds
            outcome = run_round(port, plan_for(name, plan), duration, concurrency)
            if outcome["failures"]:
                log(f"  {name}: {outcome['errors']} errors, e.g. {outcome['failures'][0][:200]}")
            results[name].append(outcome)
            memory = worker_memory(master_pid)
            rss_after[name] = max([rss_after[name], *(m["rss_kb"] for m in memory.values())])
            if name == "login":
                hash_rates.append(run_hashrate(hash_plan, duration)["rate"])
                hash_times.append(hash_seconds(hash_plan["encoded"], hash_plan["password"]))
    mixed = results.pop(MIX, [])
    table = {
        name: {**stats.summarise(outcomes), "rss_kb": rss_after[name]}
        for name, outcomes in results.items()
    }
    by_label = {}
    for outcome in mixed:
        for label, part in outcome["by_label"].items():
            by_label.setdefault(label, []).append({**part, "elapsed_s": outcome["elapsed_s"]})
    mix = {
        label: {
            **stats.summarise(parts),
            "p50_rounds_ms": [
                stats.round_ms(stats.percentile(part["latencies_ms"], 50)) for part in parts
            ],
        }
        for label, parts in sorted(by_label.items())
    }
    return table, statistics.median(hash_rates), statistics.median(hash_times), mix


def soak(scenarios, port, master_pid, *, seconds, concurrency) -> dict:
    """All the GET scenarios of the application (not the bench-only variants) in a cycle, as
    fast as the clients can go, with RSS samples."""
    requests = [
        plan["requests"][0]
        for name, plan in scenarios
        if plan["requests"][0]["method"] == "GET" and name != MIX
    ]
    before = worker_memory(master_pid)
    payload = {
        "requests": requests,
        "ok_statuses": [200],
        "port": port,
        "duration_s": seconds,
        "concurrency": concurrency,
    }
    log(f"soak: {seconds:g} s, {concurrency} clients, {len(requests)} URLs in a cycle")
    # The result goes to a file, not a pipe: a soak's latencies outgrow a pipe's buffer, and
    # the load generator would block writing them while this loop waits for it to exit.
    result_path = DATA_DIR / "soak-result.json"
    with result_path.open("w") as result_file:
        process = subprocess.Popen(  # noqa: S603 (our own scripts, fixed argv)
            [sys.executable, str(ROOT / "bench" / "loadgen.py")],
            stdin=subprocess.PIPE,
            stdout=result_file,
            text=True,
        )
        process.stdin.write(json.dumps(payload))
        process.stdin.close()
        peak = {pid: m["rss_kb"] for pid, m in before.items()}
        deadline = time.monotonic() + seconds + 300
        while process.poll() is None and time.monotonic() < deadline:
            for pid, m in worker_memory(master_pid).items():
                peak[pid] = max(peak.get(pid, 0), m["rss_kb"])
            time.sleep(1)
        process.wait(timeout=60)
    outcome = json.loads(result_path.read_text())
    after = worker_memory(master_pid)
    summary = stats.summarise([outcome])
    growth = stats.rss_growth(
        {pid: m["rss_kb"] for pid, m in before.items()},
        {pid: m["rss_kb"] for pid, m in after.items()},
    )
    return {
        **summary,
        "failures": outcome["failures"],
        "workers_before": {str(p): m for p, m in before.items()},
        "workers_after": {str(p): m for p, m in after.items()},
        "workers_replaced": sorted(set(before) ^ set(after)),
        "peak_rss_kb": {str(p): v for p, v in peak.items()},
        "rss_growth": None if growth is None else round(growth, 4),
    }


def export_memory(database_url: str | None) -> dict | None:
    script = ROOT / "bench" / "export_memory.py"
    if not script.exists():
        return None
    command = [sys.executable, str(script)]
    if database_url:
        command += ["--database-url", database_url]
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    log("export memory (bench/export_memory.py)")
    process = subprocess.run(  # noqa: S603 (our own scripts, fixed argv)
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if process.returncode != 0:
        return {"error": process.stderr.strip().splitlines()[-1:] or ["failed"]}
    try:
        return json.loads(process.stdout)
    except json.JSONDecodeError:
        return {"error": ["no JSON on stdout"], "stdout": process.stdout[-500:]}


# --- Targets and output -----------------------------------------------------------------------


def evaluate(
    info, table, queries, hash_s, parallel_hash_rate, soak_result, mix
) -> tuple[dict, list]:
    sizes = sorted(info["sizes"])
    smallest = sizes[0]
    p50 = {name: row["p50_ms"] for name, row in table.items()}
    ratios = {}
    for size in sizes:
        for end in ("first", "last"):
            name = f"users_{size}_{end}"
            if name in p50:
                ratios[f"{name}_p50/hello_p50"] = stats.ratio(p50[name], p50["hello"])
    for size in sizes[1:]:
        ratios[f"users_p50({size})/users_p50({smallest})"] = stats.ratio(
            p50[f"users_{size}_first"], p50[f"users_{smallest}_first"]
        )
    for size in sizes:
        if f"users_{size}_last" in p50:
            ratios[f"users_{size}_last_p50/first_p50"] = stats.ratio(
                p50[f"users_{size}_last"], p50[f"users_{size}_first"]
            )
    login_expected = CORES / hash_s
    ratios["login_rps/(cores/hash_time)"] = stats.ratio(table["login"]["rps"], login_expected)
    ratios["login_rps/parallel_hash_rate"] = stats.ratio(table["login"]["rps"], parallel_hash_rate)

    users_targets = stats.users_targets(sizes, p50, queries, p50["hello"])
    targets = [{k: v for k, v in t.items() if k != "size"} for t in users_targets]
    targets.append(
        stats.check(
            "login throughput >= 0.8 x (2 cores / one hash time)",
            ratios["login_rps/(cores/hash_time)"],
            0.8,
            at_most=False,
        )
    )
    targets.append(
        stats.check(
            f"login throughput >= 0.8 x hashes/s of {CORES} processes, interleaved (same load)",
            ratios["login_rps/parallel_hash_rate"],
            0.8,
            at_most=False,
        )
    )
    errors = sum(row["errors"] for row in table.values())
    targets.append(stats.check("zero errors in the measured rounds", errors, 0))
    if mix:
        mix_errors = sum(row["errors"] for row in mix.values())
        targets.append(stats.check("zero errors in the mixed rounds (mechanisms)", mix_errors, 0))
    targets.append(
        stats.check("zero errors (any non-2xx/expected) in the soak", soak_result["errors"], 0)
    )
    targets.append(stats.check("zero 5xx in the soak", soak_result["server_errors"], 0))
    targets.append(
        stats.check("worker RSS growth in the soak <= 10%", soak_result["rss_growth"], 0.10)
    )
    return {k: None if v is None else round(v, 3) for k, v in ratios.items()}, targets


def evaluate_mechanisms(info, mix, queries, mechanisms, differing=()) -> dict:
    """The "mechanisms" section: how they were measured, the mixed pages' figures, and per
    mechanism what it is, what replaces it, and stats.mechanism_report() on the mixed pages."""
    from bench.variants import MECHANISMS

    if not mechanisms:
        return {}
    sizes = sorted(info["sizes"])
    p50 = {name: row["p50_ms"] for name, row in mix.items()}
    return {
        "method": (
            "one stream of requests per round mixing hello, the Users pages and the same pages "
            "without each mechanism (bench/variants.py), in a fixed shuffled order, on the same "
            "server; p50 and targets below are from that stream"
        ),
        "pages": {
            name: {
                **{k: row[k] for k in MIX_FIELDS},
                "queries": queries.get(name),
                "same_html_as_page": None
                if name.startswith(("users_", "hello"))
                else (name not in differing),
            }
            for name, row in mix.items()
        },
        "results": {
            name: {
                "kept_by": MECHANISMS[name].kept_by,
                "without": MECHANISMS[name].without,
                **stats.mechanism_report(name, sizes, p50, queries, p50.get("hello")),
            }
            for name in mechanisms
        },
    }


MIX_FIELDS = ("requests", "p50_ms", "p50_rounds_ms", "p95_ms", "p99_ms", "errors", "statuses")


def mechanisms_markdown(section: dict) -> list[str]:
    def ms(value):
        return "—" if value is None else f"{value:,.1f}"

    if not section:
        return []
    pages = section["pages"]
    lines = [
        "",
        "### Hand-made mechanisms: the Users page with and without each",
        "",
        f'Measured as {section["method"]}. "missed without": the targets the page meets '
        "with the mechanism and misses without it.",
        "",
        "| page (mixed stream) | requests | p50 ms | p50 of each round | p95 ms | errors "
        "| queries/req | same HTML as the page |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    same = {True: "yes", False: "**NO**", None: ""}
    lines += [
        f"| {name} | {row['requests']} | {ms(row['p50_ms'])} | "
        f"{' / '.join(ms(v) for v in row['p50_rounds_ms'])} | {ms(row['p95_ms'])} | "
        f"{row['errors']} | {row['queries'] if row['queries'] is not None else '—'} | "
        f"{same[row['same_html_as_page']]} |"
        for name, row in pages.items()
    ]
    lines += [
        "",
        f"p50(hello) in the stream: {ms(pages.get('hello', {}).get('p50_ms'))} ms.",
        "",
        "| mechanism | members | p50 with | p50 without | last page with / without "
        "| queries with / without | missed without |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, report in section["results"].items():
        for size, row in report["sizes"].items():
            last = "—"
            if "last_p50_without_ms" in row:
                last = f"{ms(row['last_p50_with_ms'])} / {ms(row['last_p50_without_ms'])}"
            lines.append(
                f"| {name} | {int(size):,} | {ms(row['p50_with_ms'])} | "
                f"{ms(row['p50_without_ms'])} | {last} | "
                f"{row['queries_with']} / {row['queries_without']} | "
                f"{'; '.join(row['missed_without']) or 'none'} |"
            )
    lines.append("")
    for name, report in section["results"].items():
        missed = [t for t in report["targets"] if t["missed_only_without"]]
        if missed:
            figures = "; ".join(
                f"{t['target']}: {_figure(t['with'])} with, {_figure(t['without'])} without"
                for t in missed
            )
            verdict = f"justified: without it the page misses {figures}"
        else:
            verdict = "not justified by these targets: the page meets every one without it"
        what = f"{report['kept_by']}; without: {report['without']}"
        lines.append(f"- **{name}** ({what}): {verdict}.")
    return lines


def _figure(value) -> str:
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return "—" if value is None else f"{value:g}"


def markdown(result: dict) -> str:
    def fmt(value, digits=1):
        return "—" if value is None else f"{value:,.{digits}f}"

    lines = [
        f"## Roster benchmark ({result['database']}, {result['finished_at']})",
        "",
        f"gunicorn -c config/gunicorn.conf.py, {WORKERS} sync workers, DEBUG=0, PBKDF2; "
        f"{result['config']['rounds']} interleaved rounds x "
        f"{result['config']['round_seconds']:g} s, "
        f"{result['config']['concurrency']} clients; one password hash in-process, interleaved: "
        f"{result['hash_ms']:.0f} ms; {CORES} processes hashing, interleaved: "
        f"{result['parallel_hash_rate']:.2f} hashes/s. Data set loaded in "
        f"{result['load_seconds']:.1f} s ({', '.join(f'{n:,}' for n in result['config']['sizes'])} "
        f"members, {result['config']['events']:,} events, {result['config']['load_processes']} "
        "loading processes).",
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | queries/req "
        "| peak worker RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in result["scenarios"].items():
        lines.append(
            f"| {name} | {fmt(row['rps'])} | {fmt(row['p50_ms'])} | {fmt(row['p95_ms'])} | "
            f"{fmt(row['p99_ms'])} | {row['errors']} | {result['queries'].get(name, '—')} | "
            f"{fmt(row['rss_kb'] / 1024)} |"
        )
    soak_result = result["soak"]
    lines += [
        "",
        f"Soak: {soak_result['elapsed_s']:g} s, {fmt(soak_result['rps'])} req/s, "
        f"p50 {fmt(soak_result['p50_ms'])} ms, p99 {fmt(soak_result['p99_ms'])} ms, "
        f"{soak_result['errors']} errors ({soak_result['server_errors']} 5xx), worker RSS growth "
        f"{fmt(None if soak_result['rss_growth'] is None else soak_result['rss_growth'] * 100)}%.",
        "",
        "| ratio | value |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {fmt(value, 2)} |" for name, value in result["ratios"].items()]
    lines += ["", "| target | value | met |", "|---|---:|:---:|"]
    for target in result["targets"]:
        lines.append(
            f"| {target['target']} | {target['value']} | {'met' if target['met'] else 'MISSED'} |"
        )
    lines += mechanisms_markdown(result.get("mechanisms") or {})
    export = result.get("export_memory")
    if export and "results" in export:
        lines += ["", "Export (streamed ZIP), tracemalloc peak:"]
        lines += [
            f"- {r['members']:,} members: {r['zip_bytes'] / 2**20:.2f} MiB ZIP, "
            f"peak {r['peak_mib']} MiB"
            for r in export["results"]
        ]
    elif export:
        lines += ["", f"Export memory: {export}"]
    return "\n".join(lines)


# --- Main ----------------------------------------------------------------------------------------


def mechanisms_from(value: str) -> list[str]:
    """BENCH_MECHANISMS: empty for all of bench/variants.py, "none" for none, else a
    comma-separated list of their names."""
    from bench.variants import MECHANISMS

    if not value.strip():
        return list(MECHANISMS)
    if value.strip() == "none":
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in MECHANISMS]
    if unknown:
        raise SystemExit(f"BENCH_MECHANISMS: unknown {unknown}; known: {list(MECHANISMS)}")
    return names


def main() -> int:
    started = time.monotonic()
    config = {
        "rounds": _env_int("BENCH_ROUNDS", 3),
        "round_seconds": _env_float("BENCH_ROUND_SECONDS", 3),
        "warmup_seconds": _env_float("BENCH_WARMUP_SECONDS", 1),
        "concurrency": _env_int("BENCH_CONCURRENCY", WORKERS),
        "soak_seconds": _env_float("BENCH_SOAK_SECONDS", 60),
        "soak_concurrency": _env_int("BENCH_SOAK_CONCURRENCY", 2 * WORKERS),
        "sizes": [
            int(s) for s in (os.environ.get("BENCH_SIZES") or "10,1000,10000,100000").split(",")
        ],
        "events": _env_int("BENCH_EVENTS", 20_000),
        "mechanisms": mechanisms_from(os.environ.get("BENCH_MECHANISMS", "")),
        "mechanism_seconds": _env_float("BENCH_MECHANISM_SECONDS", 60),
    }
    # Enough fresh accounts for one invite POST each in every round (~20/s at best).
    config["invite_accounts"] = int(
        (config["rounds"] * config["round_seconds"] + config["warmup_seconds"]) * 25 + 26
    )
    database_url = os.environ.get("DATABASE_URL", "")
    sqlite_file = None
    if not database_url.startswith(("postgres://", "postgresql://")):
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        sqlite_file = DATA_DIR / f"bench-{os.getpid()}.sqlite3"
        database_url = f"sqlite:///{sqlite_file}"
    database = "PostgreSQL" if sqlite_file is None else "SQLite"
    # Forked loaders need their own connections; SQLite takes one writer at a time anyway.
    config["load_processes"] = CORES if sqlite_file is None else 1
    env = server_environment(database_url)
    setup_django(env)
    gunicorn = None
    from bench import loader

    try:
        log(f"migrating and collecting static files ({database})")
        prepare_database()
        loader.cleanup()
        load_started = time.perf_counter()
        info = loader.load(
            sizes=config["sizes"],
            invite_accounts=config["invite_accounts"],
            events=config["events"],
            processes=config["load_processes"],
        )
        load_seconds = time.perf_counter() - load_started
        analyze_tables()
        log(
            f"loaded {sum(config['sizes']):,} members and {config['events']:,} events "
            f"in {load_seconds:.1f} s"
        )
        sessions = loader.mint_sessions(
            [info["admin"]["id"], *(sink["user_id"] for sink in info["invite_accounts"])]
        )
        from accounts.models import User

        port = free_port()
        scenarios, urls = build_scenarios(info, sessions, port, config["mechanisms"])
        queries, differing = count_queries(info, urls, info["invite_accounts"][-1])
        if differing:
            log(f"  NOT the same HTML as the page itself: {', '.join(differing)}")
        from django.db import connections

        connections.close_all()

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        gunicorn = start_gunicorn(env, port, DATA_DIR / "gunicorn.log")
        log(f"gunicorn on 127.0.0.1:{port}, workers {worker_pids(gunicorn.pid)}")
        admin_hash = User.objects.get(pk=info["admin"]["id"]).password
        table, parallel_hash_rate, hash_s, mix = run_rounds(
            scenarios,
            port,
            gunicorn.pid,
            rounds=config["rounds"],
            seconds=config["round_seconds"],
            warmup=config["warmup_seconds"],
            concurrency=config["concurrency"],
            hash_plan={"encoded": admin_hash, "password": loader.PASSWORD},
            mix_seconds=config["mechanism_seconds"],
        )
        soak_result = soak(
            scenarios,
            port,
            gunicorn.pid,
            seconds=config["soak_seconds"],
            concurrency=config["soak_concurrency"],
        )
        workers = {str(pid): m for pid, m in worker_memory(gunicorn.pid).items()}
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        if sqlite_file is None:
            cleanup_started = time.perf_counter()
            loader.cleanup()
            log(f"removed the bench rows in {time.perf_counter() - cleanup_started:.1f} s")
        else:
            from django.db import connections

            connections.close_all()
            for path in DATA_DIR.glob(f"{sqlite_file.name}*"):
                path.unlink()

    ratios, targets = evaluate(info, table, queries, hash_s, parallel_hash_rate, soak_result, mix)
    result = {
        "database": database,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": config,
        "load_seconds": round(load_seconds, 2),
        "hash_ms": round(hash_s * 1000, 2),
        "parallel_hash_rate": round(parallel_hash_rate, 3),
        "scenarios": table,
        "queries": queries,
        "workers_at_end": workers,
        "soak": soak_result,
        "ratios": ratios,
        "targets": targets,
        "mechanisms": evaluate_mechanisms(info, mix, queries, config["mechanisms"], differing),
        "export_memory": export_memory(None if sqlite_file else database_url),
        "total_seconds": None,
    }
    result["total_seconds"] = round(time.monotonic() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    # Also per database, so a SQLite run does not hide the last PostgreSQL figures.
    RESULTS.with_name(f"latest-{database.lower()}.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    print(markdown(result))
    print(f"\nWritten to {RESULTS.relative_to(ROOT)} in {result['total_seconds']:g} s.")
    soak_ok = soak_result["server_errors"] == 0 and (soak_result["rss_growth"] or 0) <= 0.10
    if not soak_ok:
        print("SOAK FAILED: 5xx responses or worker memory growth above 10%.", file=sys.stderr)
    return 0 if soak_ok else 1


if __name__ == "__main__":
    sys.exit(main())

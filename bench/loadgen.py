"""Load generator: a separate process that drives one round of traffic at 127.0.0.1.

Reads a JSON plan on stdin, prints a JSON result on stdout. Closed loop: `concurrency`
threads each send a request, read the whole response, and send the next, until the round's
`duration_s` has passed (or `max_requests`, or the list of one-shot requests, runs out).
Each request opens its own connection, as gunicorn's sync workers close them anyway.
Latency is measured with perf_counter from connect to the last byte of the body.

Plan: {"port": 8123, "duration_s": 3, "concurrency": 2, "mode": "cycle" | "once",
       "requests": [{"method", "path", "headers", "body"}], "ok_statuses": [200],
       "xff_start": null | int}
`mode: once` uses each request at most once (invite POSTs, each to a fresh account);
`xff_start` adds a distinct X-Forwarded-For per request (logins: the per-IP rate limit
stays on, as behind a proxy, but the benchmark's clients are many).
A request may carry a "label": the result then also has "by_label", {label: {"latencies_ms",
"statuses", "errors"}}, so one round can mix several pages that then see the same machine.
"""

import http.client
import itertools
import json
import sys
import threading
import time

HOST = "127.0.0.1"  # traffic goes to this machine only


def _ip(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def run(plan: dict) -> dict:
    port = int(plan["port"])
    duration = float(plan["duration_s"])
    concurrency = int(plan.get("concurrency", 2))
    requests = plan["requests"]
    once = plan.get("mode", "cycle") == "once"
    max_requests = int(plan.get("max_requests") or 10_000_000)
    ok = set(plan.get("ok_statuses") or [200])
    xff_start = plan.get("xff_start")

    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    failures: list[str] = []
    by_label: dict[str, dict] = {}
    errors = 0
    deadline = time.perf_counter() + duration

    def worker():
        nonlocal errors
        while time.perf_counter() < deadline:
            n = next(counter)
            if n >= max_requests or (once and n >= len(requests)):
                return
            spec = requests[n % len(requests)]
            headers = dict(spec.get("headers") or {})
            if xff_start is not None:
                headers["X-Forwarded-For"] = _ip(int(xff_start) + n)
            body = spec.get("body")
            if body is not None:
                body = body.encode()
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                conn.request(spec.get("method", "GET"), spec["path"], body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                conn.close()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                status, content = "connection-error", repr(error).encode()
            elapsed_ms = (time.perf_counter() - started) * 1000
            failed = not status.isdigit() or int(status) not in ok
            with lock:
                latencies.append(elapsed_ms)
                statuses[status] = statuses.get(status, 0) + 1
                if failed:
                    errors += 1
                    if len(failures) < 3:
                        failures.append(f"{status} {spec['path']}: {content[:300]!r}")
                if "label" in spec:
                    labelled = by_label.setdefault(
                        spec["label"], {"latencies_ms": [], "statuses": {}, "errors": 0}
                    )
                    labelled["latencies_ms"].append(elapsed_ms)
                    labelled["statuses"][status] = labelled["statuses"].get(status, 0) + 1
                    labelled["errors"] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 120)
    elapsed = time.perf_counter() - started
    return {
        "latencies_ms": latencies,
        "statuses": statuses,
        "errors": errors,
        "failures": failures,
        "elapsed_s": elapsed,
        "by_label": by_label,
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)

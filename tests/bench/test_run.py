"""bench/run.py's wiring of the mechanism variants, and the load generator's labels."""

import http.server
import threading

import pytest

from bench import loadgen, run


def _info(sizes=(10, 1000, 100_000)):
    return {
        "largest": max(sizes),
        "sizes": {
            size: {"slug": f"bench-s{size}", "last_page": max(1, -(-size // 25))} for size in sizes
        },
    }


def test_variant_urls_measure_first_pages_everywhere_and_last_pages_where_they_matter():
    urls = run.variant_urls(_info(), ["counts", "email_copy"])

    assert urls["without_counts_10_first"] == "/a/bench-s10/users/without/counts/"
    assert urls["without_counts_100000_last"] == "/a/bench-s100000/users/without/counts/?page=4000"
    assert "without_counts_1000_last" not in urls  # only at the largest size
    last = urls["without_email_copy_1000_last"]
    assert last == "/a/bench-s1000/users/without/email_copy/?page=40"
    assert "without_email_copy_10_last" not in urls  # one page only
    assert len(urls) == 3 + 1 + 3 + 2


def test_scenario_names_say_which_account_size_a_users_page_has():
    assert run.users_page_size("users_1000_first") == 1000
    assert run.users_page_size("without_email_copy_100000_last") == 100_000
    assert run.users_page_size("search_100000") is None
    assert run.users_page_size("hello") is None


def test_bench_mechanisms_names_all_some_or_none(monkeypatch):
    assert run.mechanisms_from("") == ["counts", "email_copy", "python_rows"]
    assert run.mechanisms_from("none") == []
    assert run.mechanisms_from("counts, python_rows") == ["counts", "python_rows"]
    with pytest.raises(SystemExit, match="caching"):
        run.mechanisms_from("counts,caching")


def test_the_mixed_scenario_labels_every_page_of_the_comparisons(settings):
    info = {
        **_info((10, 1000)),
        "admin": {"id": 1, "password": "x"},
        "search_q": "someone",
        "invite_accounts": [{"slug": "bench-inv0000", "pk": 7, "user_id": 2}] * 2,
    }
    sessions = {1: "admin-session", 2: "inviter-session"}

    scenarios, urls = run.build_scenarios(info, sessions, 8000, ["counts"])

    plans = dict(scenarios)
    mixed = {r["label"]: r["path"] for r in plans[run.MIX]["requests"]}
    assert set(mixed) == {
        "hello",
        "users_10_first",
        "users_1000_first",
        "users_1000_last",
        "without_counts_10_first",
        "without_counts_1000_first",
        "without_counts_1000_last",
    }
    assert all(urls[label] == path for label, path in mixed.items())  # counted in-process too
    assert not any(name.startswith("without_") for name in plans)  # only inside the mix
    assert list(mixed) != sorted(mixed)  # shuffled, the same way every run


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 500 if self.path == "/broken/" else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def test_the_load_generator_reports_each_labelled_page_on_its_own(monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = loadgen.run(
            {
                "port": server.server_address[1],
                "duration_s": 5,
                "max_requests": 30,
                "concurrency": 2,
                "requests": [
                    {"path": "/a/", "label": "a"},
                    {"path": "/b/", "label": "b"},
                    {"path": "/broken/", "label": "broken"},
                ],
            }
        )
    finally:
        server.shutdown()

    assert sorted(result["by_label"]) == ["a", "b", "broken"]
    assert [len(result["by_label"][k]["latencies_ms"]) for k in "ab"] == [10, 10]
    assert result["by_label"]["broken"]["errors"] == 10
    assert result["by_label"]["a"]["statuses"] == {"200": 10}
    assert result["errors"] == 10

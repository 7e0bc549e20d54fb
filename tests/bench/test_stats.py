"""The benchmark's maths: percentiles, summaries of rounds, ratios and targets."""

import pytest

from bench import stats


def test_percentile_interpolates_between_closest_ranks_like_numpy():
    values = [4, 1, 3, 2]  # sorted: 1 2 3 4
    assert stats.percentile(values, 50) == 2.5
    assert stats.percentile(values, 0) == 1
    assert stats.percentile(values, 100) == 4
    assert stats.percentile(values, 95) == pytest.approx(3.85)
    assert stats.percentile(list(range(1, 101)), 99) == pytest.approx(99.01)


def test_percentile_of_nothing_is_none_and_out_of_range_is_refused():
    assert stats.percentile([], 50) is None
    with pytest.raises(ValueError):
        stats.percentile([1], 101)


def test_summarise_merges_rounds_into_rate_percentiles_and_errors():
    rounds = [
        {"latencies_ms": [10, 20], "elapsed_s": 1.0, "errors": 0, "statuses": {"200": 2}},
        {"latencies_ms": [30, 40], "elapsed_s": 1.0, "errors": 1, "statuses": {"200": 1, "502": 1}},
    ]
    summary = stats.summarise(rounds)
    assert summary["requests"] == 4
    assert summary["rps"] == 2.0
    assert summary["p50_ms"] == 25.0
    assert summary["errors"] == 1
    assert summary["server_errors"] == 1
    assert summary["statuses"] == {"200": 3, "502": 1}


def test_ratio_is_none_without_a_denominator():
    assert stats.ratio(3, 2) == 1.5
    assert stats.ratio(None, 2) is None
    assert stats.ratio(3, 0) is None


def test_check_marks_targets_met_or_missed_in_both_directions():
    assert stats.check("p50 ratio <= 3", 3.0, 3)["met"] is True
    assert stats.check("p50 ratio <= 3", 3.01, 3)["met"] is False
    assert stats.check("login >= 0.8", 0.79, 0.8, at_most=False)["met"] is False
    assert stats.check("login >= 0.8", 0.9, 0.8, at_most=False)["met"] is True
    assert stats.check("missing", None, 1)["met"] is False


def test_rss_growth_is_the_worst_worker_and_ignores_replaced_ones():
    before = {1: 100_000, 2: 100_000}
    assert stats.rss_growth(before, {1: 105_000, 2: 111_000}) == pytest.approx(0.11)
    assert stats.rss_growth(before, {1: 90_000, 3: 500_000}) == pytest.approx(-0.1)
    assert stats.rss_growth(before, {3: 1}) is None


def _users_figures(scale_without: float = 1.0, queries_without: int = 6):
    """p50s and queries of a page that meets every Users target with the mechanism."""
    p50 = {"hello": 10.0}
    queries = {}
    for size in (10, 1000):
        p50[f"users_{size}_first"] = 20.0
        p50[f"without_m_{size}_first"] = 20.0 * (scale_without if size == 1000 else 1)
        queries[f"users_{size}_first"] = 6
        queries[f"without_m_{size}_first"] = queries_without
    p50["users_1000_last"] = 22.0
    queries["users_1000_last"] = 6
    return p50, queries


def test_users_targets_cover_queries_growth_last_pages_and_hello_at_each_size():
    p50, queries = _users_figures()
    targets = {t["target"]: t for t in stats.users_targets([10, 1000], p50, queries, 10.0)}

    assert targets["queries per Users page <= 10 (1000 members)"]["met"]
    assert targets["queries per Users page the same at every size"]["value"] == [6]
    assert targets["p50(Users, 1000) / p50(Users, 10) <= 1.5"]["value"] == 1.0
    assert targets["last page <= 2x first page (1000 members)"]["value"] == 1.1
    assert targets["p50(Users, 10) / p50(hello) <= 3"]["value"] == 2.0
    assert all(t["met"] for t in targets.values())
    assert "last page <= 2x first page (10 members)" not in targets  # not measured


def test_a_mechanism_is_justified_when_the_page_misses_a_target_only_without_it():
    p50, queries = _users_figures(scale_without=1.6)

    report = stats.mechanism_report("m", [10, 1000], p50, queries, 10.0)

    assert report["justified"] is True
    assert report["sizes"]["1000"]["p50_with_ms"] == 20.0
    assert report["sizes"]["1000"]["p50_without_ms"] == 32.0
    assert report["sizes"]["1000"]["missed_without"] == [
        "p50(Users, 1000) / p50(Users, 10) <= 1.5",
        "p50(Users, 1000) / p50(hello) <= 3",
    ]
    assert report["sizes"]["10"]["missed_without"] == []


def test_extra_queries_that_grow_or_pass_ten_justify_a_mechanism():
    p50, queries = _users_figures(queries_without=11)

    report = stats.mechanism_report("m", [10, 1000], p50, queries, 10.0)

    missed = [t["target"] for t in report["targets"] if t["missed_only_without"]]
    assert missed == [
        "queries per Users page <= 10 (10 members)",
        "queries per Users page <= 10 (1000 members)",
    ]
    assert report["sizes"]["10"]["queries_without"] == 11


def test_a_mechanism_is_not_justified_by_a_target_the_page_misses_with_it_too():
    p50, queries = _users_figures(scale_without=1.2)
    p50["hello"] = 5.0  # 20 ms pages: 4x hello with the mechanism already

    report = stats.mechanism_report("m", [10, 1000], p50, queries, 5.0)

    hello = [t for t in report["targets"] if "hello" in t["target"]]
    assert hello and not any(t["met_with"] for t in hello)
    assert report["justified"] is False

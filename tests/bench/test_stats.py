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

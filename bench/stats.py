"""Pure maths of the benchmark: percentiles, per-scenario summaries and the target ratios."""

import math


def percentile(values, p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between closest ranks.

    The same definition as numpy's default ("linear"); None for no values.
    """
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, not {p}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator, denominator) -> float | None:
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


def summarise(rounds: list[dict]) -> dict:
    """Merge the rounds of one scenario: each has latencies_ms, elapsed_s, errors, statuses."""
    latencies = [ms for r in rounds for ms in r["latencies_ms"]]
    elapsed = sum(r["elapsed_s"] for r in rounds)
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    server_errors = sum(n for status, n in statuses.items() if str(status).startswith("5"))
    return {
        "requests": len(latencies),
        "elapsed_s": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 2) if elapsed else None,
        "p50_ms": _round(percentile(latencies, 50)),
        "p95_ms": _round(percentile(latencies, 95)),
        "p99_ms": _round(percentile(latencies, 99)),
        "errors": sum(r["errors"] for r in rounds),
        "server_errors": server_errors,
        "statuses": statuses,
    }


def _round(value):
    return None if value is None else round(value, 2)


def check(name: str, value, limit, *, at_most: bool = True) -> dict:
    """One target: met when value <= limit (or >= limit with at_most=False)."""
    met = value is not None and (value <= limit if at_most else value >= limit)
    return {
        "target": name,
        "value": None if value is None else round(value, 3),
        "limit": limit,
        "met": met,
    }


def rss_growth(before_kb: dict, after_kb: dict) -> float | None:
    """Largest relative growth of one worker's RSS (by pid); None if no worker survived."""
    growths = [
        (after_kb[pid] - before_kb[pid]) / before_kb[pid]
        for pid in before_kb
        if pid in after_kb and before_kb[pid]
    ]
    return max(growths) if growths else None

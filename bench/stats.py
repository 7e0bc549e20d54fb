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
        "p50_ms": round_ms(percentile(latencies, 50)),
        "p95_ms": round_ms(percentile(latencies, 95)),
        "p99_ms": round_ms(percentile(latencies, 99)),
        "errors": sum(r["errors"] for r in rounds),
        "server_errors": server_errors,
        "statuses": statuses,
    }


def round_ms(value):
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


# --- Hand-made mechanisms: the Users page with and without each ------------------------------


def users_targets(
    sizes: list[int], p50: dict, queries: dict, hello_p50, *, prefix: str = "users"
) -> list[dict]:
    """The issue's Users page targets, from the scenarios named `{prefix}_{size}_first` and
    `{prefix}_{size}_last` (a last page that was not measured has no target): queries per
    page <= 10 at every size and the same at every size; p50 at the largest size <= 1.5 x p50
    at the smallest; each last page <= 2 x its first page; p50 / p50(hello) <= 3 per size.
    Each target: {"target", "size" (None: all sizes), "value", "limit", "met"}."""
    smallest, largest = min(sizes), max(sizes)
    first = {size: f"{prefix}_{size}_first" for size in sizes}
    last = {size: f"{prefix}_{size}_last" for size in sizes if f"{prefix}_{size}_last" in p50}
    targets = []

    def add(name, size, value, limit):
        targets.append({**check(name, value, limit), "size": size})

    for size in sizes:
        add(f"queries per Users page <= 10 ({size} members)", size, queries.get(first[size]), 10)
    counts = sorted({queries.get(name) for name in [*first.values(), *last.values()]}, key=str)
    targets.append(
        {
            "target": "queries per Users page the same at every size",
            "size": None,
            "value": counts,
            "limit": "equal",
            "met": len(counts) == 1 and counts[0] is not None,
        }
    )
    add(
        f"p50(Users, {largest}) / p50(Users, {smallest}) <= 1.5",
        largest,
        ratio(p50.get(first[largest]), p50.get(first[smallest])),
        1.5,
    )
    for size, name in last.items():
        add(
            f"last page <= 2x first page ({size} members)",
            size,
            ratio(p50.get(name), p50.get(first[size])),
            2,
        )
    for size in sizes:
        add(
            f"p50(Users, {size}) / p50(hello) <= 3",
            size,
            ratio(p50.get(first[size]), hello_p50),
            3,
        )
    return targets


def mechanism_report(mechanism: str, sizes: list[int], p50: dict, queries: dict, hello_p50):
    """The Users page with the mechanism (scenarios `users_*`) and without it (scenarios
    `without_{mechanism}_*`): per size, both p50s and query counts, and each target as met
    with and without. A target that the page meets with the mechanism and misses without it
    is what justifies the mechanism (`justified`)."""
    prefix = f"without_{mechanism}"
    with_targets = {
        (t["target"], t["size"]): t for t in users_targets(sizes, p50, queries, hello_p50)
    }
    targets = []
    for without in users_targets(sizes, p50, queries, hello_p50, prefix=prefix):
        with_ = with_targets.get((without["target"], without["size"]))
        if with_ is None:  # a last page measured without the mechanism only
            continue
        targets.append(
            {
                "target": without["target"],
                "size": without["size"],
                "limit": without["limit"],
                "with": with_["value"],
                "without": without["value"],
                "met_with": with_["met"],
                "met_without": without["met"],
                "missed_only_without": with_["met"] and not without["met"],
            }
        )
    rows = {}
    for size in sizes:
        row = {
            "p50_with_ms": p50.get(f"users_{size}_first"),
            "p50_without_ms": p50.get(f"{prefix}_{size}_first"),
            "queries_with": queries.get(f"users_{size}_first"),
            "queries_without": queries.get(f"{prefix}_{size}_first"),
        }
        if f"{prefix}_{size}_last" in p50:
            row["last_p50_with_ms"] = p50.get(f"users_{size}_last")
            row["last_p50_without_ms"] = p50.get(f"{prefix}_{size}_last")
        row["missed_without"] = [
            t["target"] for t in targets if t["missed_only_without"] and t["size"] in (size, None)
        ]
        rows[str(size)] = row
    return {
        "sizes": rows,
        "targets": targets,
        "justified": any(t["missed_only_without"] for t in targets),
    }

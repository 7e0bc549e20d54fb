"""Fixed-window counters in the shared cache (Redis in production), so every worker counts
against the same limit. Used by the JSON API; logins use allauth's own rate limits."""

import time

from django.core.cache import cache

WINDOW_SECONDS = 60


def _cache_key(scope: str, ident: str) -> str:
    window = int(time.time() // WINDOW_SECONDS)
    return f"roster:rl:{scope}:{ident}:{window}"


def hit(scope: str, ident: str, *, limit: int) -> bool:
    """Count one use; False when this use is over `limit` for the current minute."""
    key = _cache_key(scope, ident)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit


def is_over(scope: str, ident: str, *, limit: int) -> bool:
    """Whether the limit is already used up, without counting this call."""
    return (cache.get(_cache_key(scope, ident)) or 0) >= limit

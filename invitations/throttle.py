"""Per-IP limit on invitation links that match nothing (token guessing)."""

from django.core.cache import cache

from config.request_context import current_ip

BAD_TOKENS_PER_WINDOW = 20
WINDOW_SECONDS = 10 * 60


def _key(ip) -> str:
    return f"invitations:bad-token:{ip or 'unknown'}"


def is_blocked() -> bool:
    return cache.get(_key(current_ip()), 0) >= BAD_TOKENS_PER_WINDOW


def record_bad_token() -> None:
    key = _key(current_ip())
    # add() starts the window; incr() keeps its expiry (a fixed 10-minute window).
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.add(key, 1, WINDOW_SECONDS)

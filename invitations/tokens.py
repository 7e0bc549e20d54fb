"""Invitation link tokens, in the manner of django.contrib.auth.tokens.

A token is 32 random bytes, URL-safe base64. Only its SHA-256 digest is stored; lookups
re-hash the token from the link. Digests are compared in constant time.
"""

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def make_token() -> tuple[str, str]:
    """A new (raw token, digest) pair."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


def digests_match(stored: str, candidate: str) -> bool:
    return bool(stored) and hmac.compare_digest(stored, candidate)

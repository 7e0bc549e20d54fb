"""Making and reading key strings: ``rk_<prefix>_<secret>``.

The prefix is public (it finds the row and is shown in lists); the secret is 32 random
bytes, kept only as its SHA-256. A fast hash is right here: the input has 256 bits of
entropy, so there is no password to guess; comparisons use hmac.compare_digest.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings

PREFIX_BYTES = 6  # 12 hex characters
SECRET_BYTES = 32


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    secret: str


def new_prefix() -> str:
    return secrets.token_hex(PREFIX_BYTES)


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)


def format_key(prefix: str, secret: str) -> str:
    return f"{settings.API_KEY_PREFIX}_{prefix}_{secret}"


def parse_key(raw: str) -> ParsedKey | None:
    """None for anything that is not shaped like one of our keys."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != settings.API_KEY_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != PREFIX_BYTES * 2 or not secret or len(secret) > 100:
        return None
    return ParsedKey(prefix=prefix, secret=secret)

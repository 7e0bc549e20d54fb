"""SCIM token strings: ``scim_<prefix>_<secret>``, made and checked like API keys (the same
hashing, from apikeys.secrets), with their own prefix so neither is taken for the other."""

from dataclasses import dataclass

from django.conf import settings

from apikeys import secrets


@dataclass(frozen=True)
class ParsedToken:
    prefix: str
    secret: str


def new_token() -> tuple[str, str, str]:
    """(prefix, secret hash, full token string)."""
    prefix, secret = secrets.new_prefix(), secrets.new_secret()
    return prefix, secrets.hash_secret(secret), f"{settings.SCIM_TOKEN_PREFIX}_{prefix}_{secret}"


def parse_token(raw: str) -> ParsedToken | None:
    """None for anything not shaped like one of our SCIM tokens."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != settings.SCIM_TOKEN_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != secrets.PREFIX_BYTES * 2 or not secret or len(secret) > 100:
        return None
    return ParsedToken(prefix=prefix, secret=secret)


def secret_matches(secret: str, secret_hash: str) -> bool:
    return secrets.secret_matches(secret, secret_hash)

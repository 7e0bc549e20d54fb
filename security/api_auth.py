"""Authenticating a request to the JSON API by its API key.

A key acts with the CURRENT level of its creator, read from the database on every request
(so a regenerated secret, a revoke, a suspension or a demotion takes effect on the very
next request, on every server). Refusals raise `ApiAuthError` with a stable code; the API
turns it into a JSON 401 (or 400 for a key in the URL, 429 when rate-limited).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts import ratelimit
from apikeys import secrets
from apikeys.models import ApiKey
from apikeys.selectors import key_by_prefix
from memberships import access
from memberships.exceptions import AccessDenied, NotAllowed
from memberships.models import Membership
from sms.session import forget_session

# Query parameters a client might put a key in; a key in a URL ends up in logs and history.
KEY_QUERY_PARAMETERS = {"api_key", "apikey", "key", "token", "access_token", "auth", "bearer"}
# How stale last_used_at may get before we write it again (saves a write per request).
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiAuthError(Exception):
    status = 401

    def __init__(self, code: str, message: str, *, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status


INVALID = ("invalid_key", "The API key is missing, malformed, unknown or no longer valid.")
_INACTIVE = ("creator_inactive", "The person who created this API key is no longer active here.")
_REFUSED = {
    access.Refusal.NOT_A_MEMBER: _INACTIVE,
    access.Refusal.SUSPENDED: _INACTIVE,
    access.Refusal.ACCOUNT_CLOSED: ("account_closed", "The account of this API key is closed."),
    access.Refusal.TWO_FACTOR_REQUIRED: (
        "two_factor_required",
        "This account requires two-factor authentication and the key's creator has not set it up.",
    ),
    access.Refusal.TWO_FACTOR_RESET: (
        "two_factor_reset",
        "The two-factor authentication of the key's creator was reset: the key works again once "
        "they have set it up again.",
    ),
}


@dataclass(frozen=True)
class ApiCaller:
    """What an authenticated API request acts as."""

    key: ApiKey
    membership: Membership

    @property
    def account(self):
        return self.membership.account

    @property
    def user(self):
        return self.membership.user

    def can(self, code: str) -> bool:
        return self.membership.can(code)


def refuse_key_in_query_string(query) -> None:
    prefix = f"{settings.API_KEY_PREFIX}_"
    if KEY_QUERY_PARAMETERS & {name.lower() for name in query} or any(
        value.startswith(prefix) for values in query.lists() for value in values[1]
    ):
        raise ApiAuthError(
            "key_in_query_string",
            "Send the API key only in the header `Authorization: Bearer <key>`, never in the URL.",
            status=400,
        )


def authenticate_key(raw_key: str, *, client_ip: str | None = None) -> ApiCaller:
    """The caller for `raw_key`, or ApiAuthError. Failed attempts count per client IP.

    A key is not a session: whatever cookie came along, the gate judges the key's creator
    by their factors (an account that accepts an app or a key only wants them to have one),
    not by how some browser session of theirs signed in."""
    forget_session()
    ip = client_ip or "unknown"
    if ratelimit.is_over("api-auth-fail", ip, limit=settings.API_AUTH_FAILURES_PER_MINUTE):
        raise ApiAuthError("rate_limited", "Too many failed API key attempts.", status=429)
    try:
        caller = _check(raw_key)
    except ApiAuthError:
        ratelimit.hit("api-auth-fail", ip, limit=settings.API_AUTH_FAILURES_PER_MINUTE)
        raise
    if not ratelimit.hit("api-key", str(caller.key.pk), limit=settings.API_RATE_LIMIT_PER_MINUTE):
        raise ApiAuthError("rate_limited", "Too many requests with this API key.", status=429)
    _touch(caller.key)
    return caller


def _check(raw_key: str) -> ApiCaller:
    parsed = secrets.parse_key(raw_key)
    key = key_by_prefix(parsed.prefix) if parsed else None
    if key is None or not secrets.secret_matches(parsed.secret, key.secret_hash):
        raise ApiAuthError(*INVALID)
    if key.is_expired():
        raise ApiAuthError("key_expired", "This API key has expired.")
    # The one access gate, for the key's creator: whatever keeps them out of the account's
    # pages keeps their keys out of the API.
    try:
        membership = access.require(key.created_by, key.account, permission="apikeys.create")
    except AccessDenied as denied:
        raise ApiAuthError(*_REFUSED[denied.refusal]) from None
    except NotAllowed:
        raise ApiAuthError(
            "creator_level", "The person who created this API key is no longer an Owner or Admin."
        ) from None
    return ApiCaller(key=key, membership=membership)


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)

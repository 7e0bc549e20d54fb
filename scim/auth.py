"""Authenticating a SCIM request by its bearer token.

A token acts for its account with the CURRENT access of its creator, read on every request:
the one access gate (memberships.access) for the creator, so whatever keeps them out of the
account's pages (no longer a member, suspended, the account closed, a 2FA demand unmet)
stops the token on the next request, on every server. So do revoking the token, the creator
dropping below the level that manages provisioning, SCIM being turned off and a plan without
it. Every refusal is a 401 (or 429 when rate-limited), as RFC 7644 §3.12 asks, with a detail
an IT admin can act on.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts import ratelimit
from config.request_context import current_ip
from memberships import access
from memberships.exceptions import AccessDenied, NotAllowed
from memberships.models import Membership
from scim import tokens
from scim.models import Provisioning, ScimToken
from scim.services import MANAGE_PERMISSION, plan_allows_provisioning
from sms.session import forget_session

LAST_USED_RESOLUTION = timedelta(minutes=1)
QUERY_PARAMETERS = {"token", "access_token", "bearer", "auth", "api_key", "apikey", "key"}


class ScimAuthError(Exception):
    def __init__(self, detail: str, *, status: int = 401):
        super().__init__(detail)
        self.detail = detail
        self.status = status


INVALID = "The SCIM token is missing, malformed, unknown or revoked."
_REFUSED = {
    access.Refusal.NOT_A_MEMBER: "The person who created this SCIM token is no longer a member.",
    access.Refusal.SUSPENDED: "The person who created this SCIM token is suspended.",
    access.Refusal.ACCOUNT_CLOSED: "The account of this SCIM token is closed.",
    access.Refusal.TWO_FACTOR_REQUIRED: (
        "The account requires two-factor authentication and the token's creator has not set it up."
    ),
    access.Refusal.TWO_FACTOR_RESET: (
        "The two-factor authentication of the token's creator was reset: the token works "
        "again once they have set it up again."
    ),
}


@dataclass(frozen=True)
class ScimCaller:
    token: ScimToken
    membership: Membership

    @property
    def account(self):
        return self.token.account

    @property
    def actor(self):
        return self.token.created_by


def authenticate(request) -> ScimCaller:
    """The caller of `request`, or ScimAuthError. Failures count per client IP; successes
    per token."""
    ip = current_ip() or "unknown"  # honours TRUSTED_PROXY_COUNT, like the activity log
    limit = settings.SCIM_AUTH_FAILURES_PER_MINUTE
    if ratelimit.is_over("scim-auth-fail", ip, limit=limit):
        raise ScimAuthError("Too many failed SCIM token attempts.", status=429)
    try:
        caller = _check(request)
    except ScimAuthError as error:
        if error.status == 401:
            ratelimit.hit("scim-auth-fail", ip, limit=limit)
        raise
    if not ratelimit.hit(
        "scim-token", str(caller.token.pk), limit=settings.SCIM_RATE_LIMIT_PER_MINUTE
    ):
        raise ScimAuthError("Too many requests with this SCIM token.", status=429)
    _touch(caller.token)
    return caller


def _check(request) -> ScimCaller:
    if QUERY_PARAMETERS & {name.lower() for name in request.GET}:
        # A token in a URL ends up in logs and browser history: refuse it, even a good one.
        raise ScimAuthError("Send the SCIM token only in the Authorization header.", status=400)
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, raw = header.partition(" ")
    parsed = tokens.parse_token(raw) if scheme.lower() == "bearer" else None
    token = (
        ScimToken.objects.select_related("account", "created_by")
        .filter(prefix=parsed.prefix)
        .first()
        if parsed
        else None
    )
    if (
        token is None
        or token.is_revoked
        or not tokens.secret_matches(parsed.secret, token.secret_hash)
    ):
        raise ScimAuthError(INVALID)
    # The one access gate, for the token's creator. A token is not a session: whatever cookie
    # came along, the gate judges the creator's factors, not how a browser of theirs signed in.
    forget_session()
    try:
        membership = access.require(token.created_by, token.account, permission=MANAGE_PERMISSION)
    except AccessDenied as denied:
        raise ScimAuthError(_REFUSED[denied.refusal]) from None
    except NotAllowed:
        raise ScimAuthError(
            "The person who created this SCIM token is no longer an Owner or Admin."
        ) from None
    if not plan_allows_provisioning(token.account):
        raise ScimAuthError("The account's plan does not include SCIM provisioning.")
    if not Provisioning.objects.filter(account=token.account, enabled=True).exists():
        raise ScimAuthError("SCIM provisioning is turned off for this account.")
    return ScimCaller(token=token, membership=membership)


def _touch(token: ScimToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)

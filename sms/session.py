"""Which second factor the current session signed in with, for the access gate (issue 18).

An account whose Owner accepts "an authenticator app or a security key only" does so
because a SIM swap hands the attacker the phone, not the app. So the gate asks not only
whether the person HAS an app (`memberships.access.two_factor_refusal`) but also whether
THIS session proved it: a session whose only second factor was a text message is refused
there until the person confirms with the app or the key (allauth's `mfa_reauthenticate`,
which records the app in the session and lets them through).

allauth logs every authentication of a session (`allauth.account.authentication.
get_authentication_records`: the password, `{"method": "mfa", "type": "totp"}`, our
`{"method": "mfa", "type": "sms"}`, ...). `SessionMiddleware` below publishes the request
for its length; outside a request (jobs, the shell) and for API keys (`forget_session`)
nothing is published, and the person's factors alone decide.
"""

from contextvars import ContextVar

from allauth.account.authentication import get_authentication_records

SMS = "sms"
# What allauth records for an app, a security key, or a recovery code (which comes with
# them and is not on the phone).
APP_OR_KEY_RECORDS = frozenset({"totp", "webauthn", "recovery_codes"})

_request: ContextVar = ContextVar("roster_sms_session_request", default=None)


def second_factors_used(records) -> set[str]:
    """The second-factor types in a session's authentication records."""
    return {
        record.get("type")
        for record in records
        if isinstance(record, dict) and record.get("method") == "mfa"
    }


def signed_in_with_sms_only(user) -> bool:
    """True when the current request's session is `user`'s and its second factors were text
    messages only (no app, key or recovery code, at login or in a later confirmation)."""
    request = _request.get()
    if request is None or user is None or user.pk is None:
        return False
    session_user = getattr(request, "user", None)
    if session_user is None or not session_user.is_authenticated or session_user.pk != user.pk:
        return False
    used = second_factors_used(get_authentication_records(request, session_user))
    return SMS in used and not used & APP_OR_KEY_RECORDS


def forget_session() -> None:
    """For the rest of this request the session does not count (an API key authenticates
    it, whatever cookie came along): the gate judges the key's creator by their factors."""
    _request.set(None)


class SessionMiddleware:
    """Publishes the request, so the gate can read which second factor its session used.
    After Django's SessionMiddleware and AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

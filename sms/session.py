"""Which second factor the current session signed in with, for the access gate (issue 18).

An account whose Owner accepts "an authenticator app or a security key only" does so
because a SIM swap hands the attacker the phone, not the app. So the gate asks not only
whether the person HAS an app (`memberships.access.two_factor_refusal`) but also whether
THIS session proved it: a session whose only second factor was a text message is refused
there until the person confirms with the app or the key (allauth's `mfa_reauthenticate`,
which records the app in the session and lets them through).

allauth logs every authentication of a session (`allauth.account.authentication.
get_authentication_records`: the password, `{"method": "mfa", "type": "totp", "id": 7}`, our
`{"method": "mfa", "type": "sms", "app_or_key": [7, 8]}`, ...). `SessionMiddleware` below
publishes the request for its length; outside a request (jobs, the shell) and for API keys
(`forget_session`) nothing is published, and the person's factors alone decide.

Which app or key counts as proof: one the person already had when the session first used a
text message (their ids are in that record, `sms_record_data`). Otherwise whoever swapped
the SIM (and knows the password) could add a security key of their own in that session, or
replace the app, and confirm with it. Someone who had no app or key then (setting one up
because an account asks for it) confirms with the one they set up.
"""

from contextvars import ContextVar

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

SMS = "sms"
# What allauth records for an app, a security key, or a recovery code (which comes with
# them and is not on the phone).
APP_OR_KEY_RECORDS = frozenset({"totp", "webauthn", "recovery_codes"})

_request: ContextVar = ContextVar("roster_sms_session_request", default=None)


def sms_record_data(user) -> dict:
    """What a text-message authentication adds to its session record: the ids of the apps,
    keys and recovery codes the person has at that moment."""
    ids = Authenticator.objects.filter(user_id=user.pk).order_by("pk").values_list("pk", flat=True)
    return {"app_or_key": list(ids)}


def proves_app_or_key(records) -> bool:
    """Whether a session's authentication records show an app, a key or a recovery code that
    counts: any, when no text message came first; else one the person had then."""
    second = [r for r in records if isinstance(r, dict) and r.get("method") == "mfa"]
    first_sms = next((i for i, r in enumerate(second) if r.get("type") == SMS), None)
    if first_sms is None:
        return True  # no text message: whatever else the session used
    if any(r.get("type") in APP_OR_KEY_RECORDS for r in second[:first_sms]):
        return True  # signed in with the app; a text message confirmed it later
    had = second[first_sms].get("app_or_key")
    proofs = [r.get("id") for r in second[first_sms:] if r.get("type") in APP_OR_KEY_RECORDS]
    if not isinstance(had, list):  # a record from before ids were kept: trust none
        return False
    return any(proof in had for proof in proofs) if had else bool(proofs)


def signed_in_with_sms_only(user) -> bool:
    """True when the current request's session is `user`'s, used a text message, and has
    not proved an app or a key that counts (`proves_app_or_key`)."""
    request = _request.get()
    if request is None or user is None or user.pk is None:
        return False
    session_user = getattr(request, "user", None)
    if session_user is None or not session_user.is_authenticated or session_user.pk != user.pk:
        return False
    return not proves_app_or_key(get_authentication_records(request, session_user))


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

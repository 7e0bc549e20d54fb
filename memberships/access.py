"""The one access gate: may this person act in this account right now?

Every way into an account asks `decide()` (or `require()`, which raises), and nothing else
re-derives part of the answer: the page mixins, every service that takes an `actor` (inside
its transaction, after locking the account row, so a suspension or a 2FA reset committed
between the page and the POST is seen), the accounts the invite form offers and each account
a multi-account invite names, the API key check (for the key's creator), export and the
invitation accept flow when the person is already a member.

The answer is the person's membership, or one `Refusal`:

- NOT_A_MEMBER: no membership in the account (pages answer 404: an account's existence does
  not leak);
- SUSPENDED: a membership an Owner or Admin suspended, or whose "access until" has passed
  (refused from that moment, before the hourly job records the suspension);
- ACCOUNT_CLOSED: the account is closed (only reopening tolerates it);
- TWO_FACTOR_REQUIRED: the account requires 2FA and the person has none that counts there
  (text messages count unless the account accepts an app or a security key only);
- TWO_FACTOR_RESET: an Owner or Admin reset the person's 2FA and they have not set it up
  again (whether or not the account requires it).

A door that must stay open through one refusal says so with `tolerate=` (leaving an account
without 2FA; reopening a closed one), so every exception is visible at the door.
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from allauth.mfa.utils import is_mfa_enabled
from django.db.models import OuterRef, Q
from django.utils import timezone

from memberships.access_until import shown
from memberships.exceptions import AccessDenied, MembershipError, NotAllowed
from memberships.models import Membership, MembershipStatus
from memberships.permissions import get_permission, role_has_permission
from sms.selectors import (
    app_or_key_exists,
    has_sms_two_factor,
    sms_counts_in,
    sms_two_factor_exists,
)
from sms.session import signed_in_with_sms_only


class Refusal(StrEnum):
    NOT_A_MEMBER = "not_a_member"
    SUSPENDED = "suspended"
    ACCOUNT_CLOSED = "account_closed"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    TWO_FACTOR_RESET = "two_factor_reset"


TWO_FACTOR = frozenset({Refusal.TWO_FACTOR_REQUIRED, Refusal.TWO_FACTOR_RESET})

_MESSAGES = {
    Refusal.NOT_A_MEMBER: "You are not a member of {account}.",
    Refusal.SUSPENDED: "Your access to {account} is suspended. Ask an Owner or Admin of it.",
    Refusal.ACCOUNT_CLOSED: "{account} is closed.",
    Refusal.TWO_FACTOR_REQUIRED: (
        "{account} requires two-factor authentication: set it up in your personal settings first."
    ),
    Refusal.TWO_FACTOR_RESET: (
        "Your two-factor authentication was reset: set it up again in your personal settings first."
    ),
}


@dataclass(frozen=True)
class Access:
    membership: Membership | None
    refusal: Refusal | None

    @property
    def granted(self) -> bool:
        return self.refusal is None


_UNREAD = object()


def access_ended(membership, *, now=None) -> bool:
    """Whether the membership's "access until" has passed (never for the Owner). The gate
    refuses from that moment on; the hourly job only records it (status, log row, email)."""
    return (
        membership.access_until is not None
        and not membership.is_owner
        and membership.access_until <= (now or timezone.now())
    )


def refusal_message(refusal: Refusal, account, *, membership=None) -> str:
    if refusal == Refusal.SUSPENDED and membership is not None and access_ended(membership):
        return f"Your access to {account.name} ended on {shown(membership.access_until)}."
    return _MESSAGES[refusal].format(account=account.name)


def has_second_factor(user, *, sms_counts: bool = True) -> bool:
    """The one definition of "has 2FA": an allauth authenticator (app, security key, with
    their recovery codes), or, where `sms_counts`, text messages to a verified number."""
    return is_mfa_enabled(user) or (sms_counts and has_sms_two_factor(user))


def second_factor_filter(*, sms_counts: bool = True) -> Q:
    """`has_second_factor` as a filter over rows with a `user_id` (memberships), for
    pages that count or list people without 2FA in one query."""
    found = Q(app_or_key_exists(OuterRef("user_id")))
    if sms_counts:
        found |= Q(sms_two_factor_exists(OuterRef("user_id")))
    return found


def two_factor_refusal(user, account) -> Refusal | None:
    """Whether `user` still owes `account` a second factor. No query unless a demand applies
    (a second one only for a person without an app or a key). Where the account accepts an
    app or a key only, a session that signed in with a text message owes it too, even when
    the person has an app (pages and services in that session; API keys judge the person)."""
    if not (account.require_2fa or user.must_set_up_2fa):
        return None
    if is_mfa_enabled(user):
        # An app or a key, unless this session signed in with a text message where the
        # account accepts an app or a key only (a SIM swap gives the phone, not the app):
        # they confirm with the app or the key first (sms.session).
        if account.require_2fa and not sms_counts_in(account) and signed_in_with_sms_only(user):
            return Refusal.TWO_FACTOR_REQUIRED
        return None
    has_sms = has_sms_two_factor(user)
    if user.must_set_up_2fa and not has_sms:
        return Refusal.TWO_FACTOR_RESET
    if account.require_2fa and not (has_sms and sms_counts_in(account)):
        return Refusal.TWO_FACTOR_REQUIRED
    return None


def forget_met_two_factor_reset(user) -> None:
    """Clear the reset flag once the person has set 2FA up again, by any method (costs a
    query only while the flag is set); each account's own demand still applies."""
    if user.must_set_up_2fa and has_second_factor(user):
        user.must_set_up_2fa = False
        user.save(update_fields=["must_set_up_2fa"])


def decide(user, account, *, membership=_UNREAD, tolerate: Collection[Refusal] = ()) -> Access:
    """The gate's answer for `user` in `account`.

    `membership` is the person's membership in `account` when the caller has already read
    it (or None when they have none); otherwise it is read here. Refusals listed in
    `tolerate` are let through (the membership still has to exist).
    """
    if user is None or not user.is_authenticated:
        return Access(None, Refusal.NOT_A_MEMBER)
    if membership is _UNREAD:
        membership = Membership.objects.filter(account=account, user_id=user.pk).first()
    if membership is None:
        return Access(None, Refusal.NOT_A_MEMBER)
    for refusal in _refusals(user, account, membership):
        if refusal not in tolerate:
            return Access(membership, refusal)
    return Access(membership, None)


def _refusals(user, account, membership):
    # Lazily, in the order a person should hear them: the 2FA check may cost a query.
    if membership.status != MembershipStatus.ACTIVE or access_ended(membership):
        yield Refusal.SUSPENDED
    if account.is_closed:
        yield Refusal.ACCOUNT_CLOSED
    refusal = two_factor_refusal(user, account)
    if refusal is not None:
        yield refusal


def require(
    user,
    account,
    *,
    permission: str | None = None,
    lock: bool = False,
    tolerate: Collection[Refusal] = (),
) -> Membership:
    """The membership of `user` in `account` if the gate lets them in and their level holds
    `permission`; AccessDenied (with the refusal) or NotAllowed otherwise.

    Services call it inside their transaction after locking the account row; `lock=True`
    also locks the membership row (for services that change it or compare levels with it).
    The user's 2FA fields are read afresh with the membership, not taken from `user`.
    """
    if permission is not None:
        get_permission(permission)  # an unknown code is a programming error, never a refusal
    membership = None
    if user is not None and user.is_authenticated:
        rows = Membership.objects.select_related("user").filter(account=account, user_id=user.pk)
        if lock:
            rows = rows.select_for_update(of=("self",))
        membership = rows.first()
    access = decide(
        membership.user if membership else user, account, membership=membership, tolerate=tolerate
    )
    if not access.granted:
        raise AccessDenied(
            access.refusal,
            refusal_message(access.refusal, account, membership=access.membership),
        )
    membership = access.membership
    membership.account = account
    if permission is not None and not role_has_permission(
        membership.role, permission, account=account
    ):
        raise NotAllowed("Your level does not allow this.")
    return membership


def has_permission(user, account, code: str) -> bool:
    """True when the gate lets `user` into `account` and their level holds `code`."""
    try:
        require(user, account, permission=code)
    except MembershipError:
        return False
    return True


def memberships_with_access(user, *, permission: str | None = None) -> list[Membership]:
    """`user`'s memberships (with their accounts, by account name) that the gate lets
    through and whose level holds `permission`: what a form may offer as choices."""
    if permission is not None:
        get_permission(permission)
    memberships = (
        Membership.objects.filter(user_id=user.pk, status=MembershipStatus.ACTIVE)
        .select_related("account")
        .order_by("account__name", "pk")
    )
    return [
        membership
        for membership in memberships
        if (permission is None or membership.can(permission))
        and decide(user, membership.account, membership=membership).granted
    ]

"""Reads about text-message two-factor that the gate and the pages share."""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from accounts.models import Account, TwoFactorMethods
from sms.models import PhoneNumber, SecurityEvent

APP_OR_KEY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def sms_counts_in(account) -> bool:
    """Whether text messages meet `account`'s "Require 2FA" (its Owner may accept an app or
    a security key only: SIM swaps make SMS the weakest factor). The gate asks this."""
    return account.two_factor_methods == TwoFactorMethods.ANY


def phone_of(user) -> PhoneNumber | None:
    return PhoneNumber.objects.filter(user_id=user.pk).first()


def _active_phones():
    return PhoneNumber.objects.filter(verified_at__isnull=False, two_factor_since__isnull=False)


def has_sms_two_factor(user) -> bool:
    """Text-message 2FA is on and its number verified (one query)."""
    return _active_phones().filter(user_id=user.pk).exists()


def sms_two_factor_exists(user_ref=None) -> Exists:
    """For annotations and filters over rows with a user: `OuterRef("user_id")` by default."""
    return Exists(_active_phones().filter(user_id=user_ref or OuterRef("user_id")))


def app_or_key_exists(user_ref=None) -> Exists:
    return Exists(
        Authenticator.objects.filter(
            user_id=user_ref or OuterRef("user_id"), type__in=APP_OR_KEY_TYPES
        )
    )


def has_app_or_key(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=APP_OR_KEY_TYPES).exists()


def _accounts_requiring_2fa(user):
    return Account.objects.open().filter(require_2fa=True, memberships__user_id=user.pk)


def accounts_needing_sms(user):
    """Open accounts of `user` (active or suspended member) that require 2FA and that SMS
    is the person's only way to meet: what turning SMS off or removing the number would
    lock them out of. Empty when they have an app or a key; accounts that accept an app or
    a key only are never among them (SMS does not meet their demand anyway)."""
    if has_app_or_key(user):
        return Account.objects.none()
    return _accounts_requiring_2fa(user).filter(two_factor_methods=TwoFactorMethods.ANY)


def sms_offered_beside_app(user) -> bool:
    """May a person who has an app or a key choose a text message instead, at login or to
    re-authenticate? Not when every open account of theirs that requires 2FA accepts an
    app or a key only: a session signed in by SMS would reach none of them (the gate asks
    for the app), and offering it would only help whoever swapped their SIM. (Someone with
    text messages only keeps them: they are that person's second factor.)"""
    requiring = _accounts_requiring_2fa(user)
    return (
        not requiring.exists() or requiring.filter(two_factor_methods=TwoFactorMethods.ANY).exists()
    )


def sms_offered(user) -> bool:
    """Whether text messages are offered to `user` as a way to sign in or re-authenticate."""
    if not has_sms_two_factor(user):
        return False
    return not has_app_or_key(user) or sms_offered_beside_app(user)


def security_history(user, *, limit: int = 20) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(user_id=user.pk)[:limit])

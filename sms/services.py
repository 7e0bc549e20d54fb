"""The person's own text-message actions: their number, its verification, SMS 2FA on and
off, sending and checking codes. Each takes the person as `user` (they act on themselves;
account doors take an `actor` and ask the gate).

Rules (issue 18): a code is 6 random digits, valid SMS_CODE_TTL, single use, stored only as
a keyed hash, bound to what asked for it, and dies after SMS_CODE_MAX_TRIES wrong tries.
Sending is limited (a refusal says when the next code can go):
- per person: one per SMS_SEND_INTERVAL, SMS_SENDS_PER_HOUR an hour;
- per number, for sign-in and re-authentication codes: the same, counting only those codes
  (only the number's verified owner can ask for them), so nobody else can use up the
  owner's sends by claiming the number;
- per number, for verification codes, across everyone who claims it: one per
  SMS_SEND_INTERVAL, SMS_VERIFY_SENDS_PER_NUMBER_PER_HOUR an hour (tighter: anyone can type
  someone else's number, and that must not become a way to spam it);
- per client IP (an IPv6 client by its /64): SMS_SENDS_PER_IP_PER_HOUR an hour.
Messages leave through the task queue after the transaction commits.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.models import User
from config.request_context import current_ip
from sms.exceptions import NoVerifiedNumber, NumberInUse, SendLimitReached
from sms.models import (
    Challenge,
    Delivery,
    PhoneNumber,
    Purpose,
    SecurityAction,
    SecurityEvent,
    masked,
)
from sms.selectors import accounts_needing_sms

HOUR = timedelta(hours=1)


class Check(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    TOO_MANY_TRIES = "too_many_tries"
    EXPIRED = "expired"
    NO_CODE = "no_code"


CHECK_MESSAGES = {
    Check.WRONG: "That code is not correct.",
    Check.TOO_MANY_TRIES: "Too many wrong codes: this one no longer works. Send a new code.",
    Check.EXPIRED: "That code has expired. Send a new code.",
    Check.NO_CODE: "No code was sent yet, or it was already used. Send a new code.",
}
NOT_SENT_MESSAGE = "We could not send the code. Try again."


def code_validity() -> str:
    """How long a code is valid, in words ("5 minutes"), from SMS_CODE_TTL."""
    minutes, seconds = divmod(settings.SMS_CODE_TTL, 60)
    if seconds or not minutes:
        return f"{settings.SMS_CODE_TTL} seconds"
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def binding(*parts) -> str:
    """What a code is bound to, as stored (a digest: the raw value stays in the session)."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def hash_code(challenge, code: str) -> str:
    value = f"{challenge.pk}:{challenge.salt}:{code}"
    return salted_hmac("sms.code", value, algorithm="sha256").hexdigest()


def record(user, action: str, detail: str = "", ip: str | None = None):
    """A row of the person's security history (sms.models.SecurityEvent)."""
    return SecurityEvent.objects.create(
        user=user, action=action, detail=detail[:200], ip_address=ip or current_ip()
    )


def _lock_user(user) -> User:
    # One person's sends, checks and number changes in turn: two tabs asking for codes at
    # once cannot both pass the send limit.
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


# --- The number -----------------------------------------------------------------------------


def verification_binding(phone: PhoneNumber) -> str:
    return binding("verify", phone.pk, phone.number)


@transaction.atomic(durable=True)
def change_number(*, user, number: str) -> PhoneNumber | None:
    """Save the person's mobile number (E.164, or "" to remove it).

    A new number is unverified until its code is entered; if SMS 2FA was on it stays chosen
    and works again once the new number is verified. Removing a number that SMS 2FA needs
    (an account requires 2FA and the person has no app or key) is refused. The view asks
    for re-authentication first when the number is in use for 2FA.
    """
    user = _lock_user(user)
    phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
    if not number:
        if phone is not None:
            if phone.two_factor_active and accounts_needing_sms(user).exists():
                raise NumberInUse(
                    "You cannot remove this number: an account you belong to requires "
                    "two-factor authentication and text messages are your only method. Set up "
                    "an authenticator app first."
                )
            if phone.two_factor_active:
                record(user, SecurityAction.TWO_FACTOR_OFF, masked(phone.number))
            record(user, SecurityAction.NUMBER_REMOVED, masked(phone.number))
            phone.delete()
        _save_mobile(user, "")
        return None
    if phone is not None and phone.number == number:
        _save_mobile(user, number)
        return phone
    if phone is None:
        phone = PhoneNumber.objects.create(user=user, number=number)
    else:
        phone.number = number
        phone.verified_at = None
        phone.save(update_fields=["number", "verified_at"])
    _save_mobile(user, number)
    return phone


def _save_mobile(user, number: str) -> None:
    if user.mobile != number:
        user.mobile = number
        user.save(update_fields=["mobile"])


@transaction.atomic(durable=True)
def verify_number(*, user, code: str) -> Check:
    """Check the verification code of the person's unverified number; mark it verified."""
    _lock_user(user)
    phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
    if phone is None or phone.is_verified:
        return Check.NO_CODE
    result = _check(user, Purpose.VERIFY, verification_binding(phone), code)
    if result is Check.OK:
        phone.verified_at = timezone.now()
        phone.save(update_fields=["verified_at"])
        record(user, SecurityAction.NUMBER_VERIFIED, masked(phone.number))
    return result


# --- SMS as a second factor -----------------------------------------------------------------


@transaction.atomic(durable=True)
def enable_two_factor(*, user) -> PhoneNumber:
    """Turn SMS 2FA on; the number must be verified. The view asks for re-authentication."""
    _lock_user(user)
    phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
    if phone is None or not phone.is_verified:
        raise NoVerifiedNumber("Verify your mobile number in personal settings first.")
    if phone.two_factor_since is None:
        phone.two_factor_since = timezone.now()
        phone.save(update_fields=["two_factor_since"])
        record(user, SecurityAction.TWO_FACTOR_ON, masked(phone.number))
    return phone


@transaction.atomic(durable=True)
def disable_two_factor(*, user) -> None:
    """Turn SMS 2FA off, unless an account of the person requires 2FA and SMS is their only
    method (the same rule allauth's adapter applies to the last authenticator app)."""
    user = _lock_user(user)
    phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
    if phone is None or phone.two_factor_since is None:
        return
    if phone.two_factor_active and accounts_needing_sms(user).exists():
        raise NumberInUse(
            "You cannot turn off text messages while an account you belong to requires "
            "two-factor authentication and they are your only method. Set up an "
            "authenticator app first."
        )
    phone.two_factor_since = None
    phone.save(update_fields=["two_factor_since"])
    record(user, SecurityAction.TWO_FACTOR_OFF, masked(phone.number))


@dataclass(frozen=True)
class Cleared:
    """What `clear_two_factor` changed."""

    turned_off: bool = False  # SMS 2FA was chosen (a second factor the reset removed)
    unverified: bool = False  # the number was verified and must be verified again


@transaction.atomic(savepoint=False)
def clear_two_factor(*, user, reason: str = "") -> Cleared:
    """A step of an Owner's or Admin's 2FA reset (security.services.reset_two_factor, inside
    its transaction): SMS 2FA off and the number unverified, so whoever moved the number to
    another SIM gains nothing. Each change is in the person's security history."""
    phone = PhoneNumber.objects.select_for_update().filter(user_id=user.pk).first()
    if phone is None:
        return Cleared()
    cleared = Cleared(
        turned_off=phone.two_factor_since is not None, unverified=phone.verified_at is not None
    )
    if cleared.turned_off or cleared.unverified:
        phone.two_factor_since = None
        phone.verified_at = None
        phone.save(update_fields=["two_factor_since", "verified_at"])
    Challenge.objects.filter(user_id=user.pk, used_at__isnull=True).update(used_at=timezone.now())
    detail = reason or masked(phone.number)
    if cleared.turned_off:
        record(user, SecurityAction.TWO_FACTOR_OFF, detail)
    if cleared.unverified:
        record(user, SecurityAction.NUMBER_UNVERIFIED, detail)
    return cleared


# --- Codes ----------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def send_code(*, user, purpose: str, bound_to: str) -> Challenge:
    """Queue a new code for `purpose`, bound to `bound_to`; SendLimitReached when a limit
    says wait. Earlier unused codes for the same binding stop working. The code is made
    and sent by sms.tasks.deliver_code after commit."""
    from sms.tasks import deliver_code

    user = _lock_user(user)
    phone = PhoneNumber.objects.filter(user=user).first()
    if purpose == Purpose.VERIFY:
        if phone is None or phone.is_verified:
            raise NoVerifiedNumber("There is no number waiting for verification.")
    elif phone is None or not phone.two_factor_active:
        raise NoVerifiedNumber("Text-message two-factor authentication is not on.")
    now = timezone.now()
    ip = current_ip()
    bucket = ip_bucket(ip)
    wait = _wait_seconds(user, phone.number, purpose, bucket, now)
    if wait:
        raise SendLimitReached(wait)
    Challenge.objects.filter(
        user=user, purpose=purpose, bound_to=bound_to, used_at__isnull=True
    ).update(used_at=now)
    challenge = Challenge.objects.create(
        user=user,
        number=phone.number,
        purpose=purpose,
        bound_to=bound_to,
        ip_address=ip,
        ip_bucket=bucket,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL),
    )
    transaction.on_commit(lambda: deliver_code.enqueue(challenge_id=challenge.pk))
    return challenge


def ip_bucket(ip: str | None) -> str:
    """What the per-IP limit counts: an IPv4 address, or the /64 network of an IPv6 one."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:50]
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


SIGN_IN_PURPOSES = (Purpose.LOGIN, Purpose.REAUTH)


def _wait_seconds(user, number: str, purpose: str, bucket: str, now) -> int:
    """Seconds until the next code may go (0: now), the longest wait of every limit."""
    recent = Challenge.objects.filter(created_at__gt=now - HOUR)
    interval = settings.SMS_SEND_INTERVAL
    if purpose == Purpose.VERIFY:
        to_number = recent.filter(number=number, purpose=Purpose.VERIFY)
        per_number = settings.SMS_VERIFY_SENDS_PER_NUMBER_PER_HOUR
    else:
        to_number = recent.filter(number=number, purpose__in=SIGN_IN_PURPOSES)
        per_number = settings.SMS_SENDS_PER_HOUR
    scopes = [
        (recent.filter(user=user), interval, settings.SMS_SENDS_PER_HOUR),
        (to_number, interval, per_number),
    ]
    if bucket:
        scopes.append((recent.filter(ip_bucket=bucket), 0, settings.SMS_SENDS_PER_IP_PER_HOUR))
    waits = [0.0]
    for rows, interval, per_hour in scopes:
        sent = list(rows.order_by("-created_at").values_list("created_at", "delivery")[:per_hour])
        # A code the provider never took does not make the person wait the interval.
        delivered = [at for at, delivery in sent if delivery != Delivery.FAILED]
        if interval and delivered:
            waits.append((delivered[0] + timedelta(seconds=interval) - now).total_seconds())
        if len(sent) >= per_hour:
            waits.append((sent[-1][0] + HOUR - now).total_seconds())
    return max(0, -int(-max(waits) // 1))


def latest_challenge(user, purpose: str, bound_to: str) -> Challenge | None:
    return (
        Challenge.objects.filter(user_id=user.pk, purpose=purpose, bound_to=bound_to)
        .order_by("-created_at", "-id")
        .first()
    )


@transaction.atomic(durable=True)
def check_code(*, user, purpose: str, bound_to: str, code: str) -> Check:
    """Check a login or re-authentication code (single use: OK spends it)."""
    _lock_user(user)
    return _check(user, purpose, bound_to, code)


def _check(user, purpose, bound_to, code: str) -> Check:
    challenge = (
        Challenge.objects.select_for_update()
        .filter(user_id=user.pk, purpose=purpose, bound_to=bound_to)
        .order_by("-created_at", "-id")
        .first()
    )
    if challenge is None or challenge.used_at is not None or not challenge.code_hash:
        return Check.NO_CODE
    if challenge.wrong_tries >= settings.SMS_CODE_MAX_TRIES:
        return Check.TOO_MANY_TRIES
    if challenge.is_expired:
        return Check.EXPIRED
    code = "".join((code or "").split())
    if not constant_time_compare(hash_code(challenge, code), challenge.code_hash):
        challenge.wrong_tries += 1
        challenge.save(update_fields=["wrong_tries"])
        if challenge.wrong_tries >= settings.SMS_CODE_MAX_TRIES:
            record(user, SecurityAction.TOO_MANY_TRIES, challenge.get_purpose_display())
            return Check.TOO_MANY_TRIES
        return Check.WRONG
    challenge.used_at = timezone.now()
    challenge.save(update_fields=["used_at"])
    return Check.OK


def new_attempt_id() -> str:
    return secrets.token_urlsafe(24)

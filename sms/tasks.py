"""Sending a code: the task makes it, stores only its hash, then hands the text to the
backend. The queue's rows hold the challenge id, never a code; a provider failure marks the
challenge "not delivered" (the page then says so) and logs no code."""

import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.tasks import task

from sms.backends import send_text
from sms.exceptions import DeliveryFailed
from sms.models import Challenge, Delivery, SecurityAction, masked
from sms.services import code_validity, hash_code, record

logger = logging.getLogger(__name__)


def message_body(code: str) -> str:
    product = getattr(settings, "PRODUCT_NAME", "Roster")
    return (
        f"Your {product} security code is {code}. It expires in {code_validity()}. Never share it."
    )


@task
def deliver_code(*, challenge_id: int) -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        challenge = (
            Challenge.objects.select_for_update()
            .select_related("user")
            .filter(pk=challenge_id, used_at__isnull=True, delivery=Delivery.QUEUED)
            .first()
        )
        if challenge is None or challenge.is_expired:
            return "skipped"
        challenge.salt = secrets.token_hex(16)
        challenge.code_hash = hash_code(challenge, code)
        challenge.save(update_fields=["salt", "code_hash"])
    try:
        send_text(to=challenge.number, body=message_body(code))
    except DeliveryFailed as exc:  # the backend's own words, which never hold the message
        logger.warning("Text message for challenge %s not delivered: %s", challenge_id, exc)
        return _not_sent(challenge, str(exc))
    except Exception as exc:
        # Whatever else a backend raises (a misconfiguration, a bug, a connection reset
        # outside requests) must not leave the challenge "queued" with a live code hash
        # and the person waiting: it is a failed delivery. Only the exception's type is
        # logged: its text could quote the message, and so the code.
        logger.error(
            "Text message for challenge %s not delivered: unexpected %s",
            challenge_id,
            type(exc).__name__,
        )
        return _not_sent(challenge, f"Unexpected error ({type(exc).__name__}).")
    Challenge.objects.filter(pk=challenge_id).update(delivery=Delivery.SENT)
    record(challenge.user, SecurityAction.CODE_SENT, masked(challenge.number), challenge.ip_address)
    return Delivery.SENT.value


def _not_sent(challenge, error: str) -> str:
    Challenge.objects.filter(pk=challenge.pk).update(
        delivery=Delivery.FAILED, last_error=error[:200], code_hash=""
    )
    record(
        challenge.user, SecurityAction.CODE_NOT_SENT, masked(challenge.number), challenge.ip_address
    )
    return Delivery.FAILED.value

"""Sending invitation emails, recording whether the provider took them.

The task makes the link's token itself and stores only its digest, so the raw token is
never in the database or in the task queue's rows: it exists only in the email. A provider
failure leaves the invitation pending and marked "not delivered" for a resend.
"""

import logging
from datetime import UTC
from smtplib import SMTPException

from anymail.exceptions import AnymailError
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from accounts.emails import build_email
from accounts.roles import label
from config.request_context import site_url
from invitations.models import DeliveryStatus, Invitation
from invitations.tokens import make_token

logger = logging.getLogger(__name__)

TEMPLATES = {"invitation": "invitation", "reminder": "invitation_reminder"}


def _context(invitation, raw_token: str, base_url: str) -> dict:
    inviter = invitation.invited_by
    return {
        "account_name": invitation.account.name,
        "inviter_name": inviter.display_name if inviter else "",
        "inviter_email": inviter.email if inviter else "",
        "level": label(invitation.role),
        "message": invitation.message,
        "accept_url": base_url.rstrip("/")
        + reverse("invitations:token", kwargs={"token": raw_token}),
        "expires": invitation.expires_at.astimezone(UTC).strftime("%d %B %Y, %H:%M UTC"),
        "email": invitation.email,
    }


@task
def send_invitation(*, invitation_id: int, kind: str = "invitation", base_url: str = "") -> str:
    """Give the invitation a fresh link and email it; returns the delivery status.

    `base_url` is the link's base taken when the send was queued (see
    config.request_context.site_url); without it, the base at send time.
    """
    raw_token, digest = make_token()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("account", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or not invitation.is_open:
            return "skipped"
        invitation.token_hash = digest
        invitation.save(update_fields=["token_hash"])
    message = build_email(
        to=[invitation.email],
        template=TEMPLATES[kind],
        context=_context(invitation, raw_token, base_url or site_url()),
    )
    current = Invitation.objects.filter(pk=invitation_id, token_hash=digest)
    try:
        message.send()
    except (SMTPException, OSError, AnymailError) as exc:
        logger.warning("Invitation %s not delivered: %s", invitation_id, exc)
        current.update(delivery_status=DeliveryStatus.FAILED, last_error=str(exc)[:500])
        return DeliveryStatus.FAILED.value
    current.update(delivery_status=DeliveryStatus.SENT, last_error="", sent_at=timezone.now())
    return DeliveryStatus.SENT.value

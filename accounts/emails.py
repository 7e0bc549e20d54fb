"""Templated email through Django's tasks framework.

`queue_email` runs after the surrounding transaction commits, so a rolled-back change sends
nothing. Templates: `<name>_subject.txt`, `<name>.txt` and `<name>.html` under templates/emails/;
the HTML part extends templates/emails/_layout.html, the layout allauth's emails share
(accounts.adapters.AccountAdapter.render_mail), and every template sees `product_name`.
The context must be JSON-serialisable (it travels through the task queue). Links are built on
`site_url` (config.request_context.site_url()), taken when the email is queued: the request's
origin in development, SITE_URL otherwise; a worker sending it later uses the same base.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string

from config.request_context import site_url

logger = logging.getLogger(__name__)


def build_email(*, to: list[str], template: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_url": site_url(), "product_name": settings.PRODUCT_NAME, **context}
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    message.attach_alternative(html, "text/html")
    return message


@task
def send_templated_email(*, to: list[str], template: str, context: dict) -> None:
    build_email(to=to, template=template, context=context).send()


def queue_email(*, to: list[str] | str, template: str, context: dict) -> None:
    recipients = [to] if isinstance(to, str) else list(to)
    context = {"site_url": site_url(), **context}  # now, while the request is known
    transaction.on_commit(
        lambda: send_templated_email.enqueue(to=recipients, template=template, context=context)
    )

import zoneinfo

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from config.request_context import site_url


def _lockout_minutes() -> int:
    """The longest window of the failed-login limits (ACCOUNT_RATE_LIMITS["login_failed"],
    e.g. "10/m/ip,5/300s/key" -> 5): how long a lock can last."""
    seconds = 60
    for rule in settings.ACCOUNT_RATE_LIMITS.get("login_failed", "").split(","):
        parts = rule.strip().split("/")
        if len(parts) >= 2:
            period = parts[1]
            unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(period[-1:], 1)
            amount = period[:-1] if period[-1:].isalpha() else period
            seconds = max(seconds, int(amount or 1) * unit)
    return -(-seconds // 60)


class AccountAdapter(DefaultAccountAdapter):
    # One message for an unknown email and a wrong password. A lock says it is one, and for
    # how long: it applies to any email typed (known or not) and to the network, so it tells
    # nothing about which emails have a login.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or password is not correct.",
    }

    def validation_error(self, code, *args):
        if code == "too_many_login_attempts":
            return forms.ValidationError(
                "Signing in is locked for a while after too many failed attempts. "
                f"Try again in {_lockout_minutes()} minutes, or reset your password.",
                code=code,
            )
        return super().validation_error(code, *args)

    def get_login_redirect_url(self, request):
        return reverse("home")

    def get_signup_redirect_url(self, request):
        return reverse("home")

    def respond_email_verification_sent(self, request, user):
        if user is None:
            # A sign-up with an email that already has a login creates nobody (allauth emails
            # that person instead), so it would answer a password hash (~0.7 s) sooner than a
            # real sign-up and tell the two apart. Pay the same hash, as Django's ModelBackend
            # does for an unknown email at log-in.
            make_password("the same work as a new login")
        return super().respond_email_verification_sent(request, user)

    # --- Emails: Roster's layout and product name (templates/account/email/) ---------------

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's email with Roster's wording, an HTML part in the layout of Roster's own
        emails (templates/emails/_layout.html) and the product name from PRODUCT_NAME."""
        context = {"product_name": settings.PRODUCT_NAME, "site_url": site_url(), **context}
        message = super().render_mail(template_prefix, email, context, headers)
        if not message.alternatives:
            # allauth ships some emails as text only (the MFA notices under mfa/email/): their
            # HTML part is that text, with its links, in the same layout.
            heading = message.subject.removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
            # The layout has its own footer: leave out the text's (account/email/base_message.txt).
            signature = f"{context['product_name']} · {context['site_url']}/"
            text = message.body.rstrip().removesuffix(signature).rstrip()
            html = render_to_string(
                "account/email/text_as_html.html",
                {**context, "heading": heading, "text": text},
            )
            message.attach_alternative(html, "text/html")
        return message

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """Security notices ("your password changed") give their time in the person's zone,
        also when sent from a request that is not theirs (a password reset)."""
        try:
            zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        with timezone.override(zone):
            super().send_notification_mail(template_prefix, user, context=context, email=email)

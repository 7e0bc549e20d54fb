"""Template tags for allauth's MFA pages (templates/mfa/), which know nothing of SMS."""

from allauth.account.stages import LoginStageController
from django import template

from sms.selectors import has_app_or_key, phone_of, sms_counts_in, sms_offered
from sms.session import signed_in_with_sms_only
from sms.stages import MFA_KEY

register = template.Library()


@register.simple_tag
def sms_phone(user):
    """The person's number row (or None), for their own 2FA page."""
    if user is None or not user.is_authenticated:
        return None
    return phone_of(user)


@register.simple_tag
def sms_login_option(request) -> bool:
    """On allauth's MFA login page: may the person get a code by text message instead?
    (Not where every account of theirs requiring 2FA accepts an app or a key only.)"""
    stage = LoginStageController.enter(request, MFA_KEY)
    return bool(stage and stage.login.user and sms_offered(stage.login.user))


@register.simple_tag
def sms_would_do(account) -> bool:
    """On the set-up-2FA page of `account`: would text messages release the person? (The
    gate's own rule: they meet a 2FA reset anywhere, and "Require 2FA" unless the account
    accepts an app or a key only.)"""
    return not account.require_2fa or sms_counts_in(account)


@register.simple_tag
def sms_step_up(user, account) -> bool:
    """On the set-up-2FA page of `account`: is the person refused only because this session
    signed in with a text message where the account accepts an app or a key only, while
    they have one? Then they confirm with it (step-up) rather than set one up."""
    return bool(
        account.require_2fa
        and not sms_counts_in(account)
        and signed_in_with_sms_only(user)
        and has_app_or_key(user)
    )

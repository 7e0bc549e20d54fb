"""`{% way_back as back %}`: the "Back to …" link above allauth's pages (sign-in, password,
email, 2FA, sessions), so nobody is stranded on them.

It leads to, in order:
- `next` when the page has one on this site (allauth's own check, the one it applies before
  redirecting there), except on the pages that ask a person to confirm who they are: their
  `next` is the page that sent them there, which would only ask again;
- the two-factor page from its sub-pages (authenticator app, recovery codes, security keys);
- personal settings for a signed-in person (where the user menu's security links live);
- the sign-in page for anyone else. Sign-in and sign-up link to each other and get none.
"""

from allauth.account.utils import get_next_redirect_url
from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()

_NONE = {"account_login", "account_signup", "mfa_authenticate", "mfa_trust"}
_CONFIRMING = {"account_reauthenticate", "mfa_reauthenticate", "mfa_reauthenticate_webauthn"}


@register.simple_tag(takes_context=True)
def way_back(context) -> dict | None:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else None
    if request is None or name in _NONE:
        return None
    if name not in _CONFIRMING:
        next_url = get_next_redirect_url(request)
        if next_url:
            return {"url": next_url, "label": _("Back to the previous page")}
    if request.user.is_authenticated:
        if name and name.startswith("mfa_") and name != "mfa_index" and name not in _CONFIRMING:
            return {"url": reverse("mfa_index"), "label": _("Back to two-factor authentication")}
        return {"url": reverse("profile"), "label": _("Back to personal settings")}
    return {"url": reverse("account_login"), "label": _("Back to sign in")}

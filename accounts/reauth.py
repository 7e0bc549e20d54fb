"""Re-authentication for sensitive actions (revoke, transfer, close, API keys, ...).

The rule: when the person's last authentication in this session (log-in, or an explicit
re-authentication, with a password or a 2FA code) is older than ACCOUNT_REAUTHENTICATION_TIMEOUT
(5 minutes), ask again. allauth's middleware turns ReauthenticationRequired into its
re-authentication page and replays the suspended POST afterwards.
"""

import time

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.conf import settings


def recently_authenticated(request) -> bool:
    if not request.user.is_authenticated:
        return False
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    last = max(record.get("at", 0) for record in records)
    return time.time() - last < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


class RecentAuthenticationRequiredMixin:
    """Asks for the password (or a 2FA code) again when the last authentication is stale.

    Put it AFTER PermissionRequiredMixin in the bases, so non-members still get 404 and
    members without the permission 403 before anyone is asked for a password:
    `class RevokeView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, View)`.
    """

    reauthentication_methods = frozenset({"post"})

    def needs_reauthentication(self, request) -> bool:
        """Override to ask only for some submissions (e.g. turning a protection off)."""
        return request.method.lower() in self.reauthentication_methods

    def dispatch(self, request, *args, **kwargs):
        if self.needs_reauthentication(request) and not recently_authenticated(request):
            raise ReauthenticationRequired()
        return super().dispatch(request, *args, **kwargs)

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
    """Asks for the password (or a 2FA code) again on POST when the last login is stale.

    Put it AFTER the membership/permission mixins so outsiders still get 404/403 first.
    """

    reauth_on_get = False

    def check_permission(self, request, *args, **kwargs):
        if (request.method == "POST" or self.reauth_on_get) and not recently_authenticated(request):
            raise ReauthenticationRequired()
        return super().check_permission(request, *args, **kwargs)

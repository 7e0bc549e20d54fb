"""The client IP of the request being served, for the activity log.

Services take no request; the middleware records the IP (through allauth's resolver, which
honours X-Forwarded-For only from ALLAUTH_TRUSTED_PROXY_COUNT trusted proxies).
"""

from contextvars import ContextVar

from django.core.exceptions import ImproperlyConfigured

_client_ip: ContextVar[str | None] = ContextVar("roster_client_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.core.internal.httpkit import get_client_ip

        try:
            ip = get_client_ip(request)
        except (ImproperlyConfigured, ValueError):  # a malformed header must not break the page
            ip = request.META.get("REMOTE_ADDR")
        token = _client_ip.set(ip)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)

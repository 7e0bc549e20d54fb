"""What services need to know about the request being served, without taking the request.

- The client IP, for the activity log (through allauth's resolver, which honours
  X-Forwarded-For only from ALLAUTH_TRUSTED_PROXY_COUNT trusted proxies).
- The base of absolute links in emails (`site_url()`). In development (DEBUG) that is the
  request's own origin, so links follow whatever port `runserver` listens on; only a Host that
  ALLOWED_HOSTS accepts is ever recorded (`request.get_host()` validates it), so a forged
  Host header cannot reach an email. In production, and outside a request (workers,
  scheduled jobs), it is the SITE_URL setting.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured

_client_ip: ContextVar[str | None] = ContextVar("roster_client_ip", default=None)
_request_origin: ContextVar[str | None] = ContextVar("roster_request_origin", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


def site_url() -> str:
    """The base (scheme://host[:port], no trailing slash) for links in emails."""
    origin = _request_origin.get()
    if origin and settings.DEBUG:
        return origin
    return settings.SITE_URL.rstrip("/")


def _origin(request) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # never let a Host that ALLOWED_HOSTS refuses into a link
        return None


class ClientIPMiddleware:
    """Records the client IP and the request's origin for the length of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from allauth.core.internal.httpkit import get_client_ip

        try:
            ip = get_client_ip(request)
        except (ImproperlyConfigured, ValueError):  # a malformed header must not break the page
            ip = request.META.get("REMOTE_ADDR")
        ip_token = _client_ip.set(ip)
        origin_token = _request_origin.set(_origin(request) if settings.DEBUG else None)
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(origin_token)
            _client_ip.reset(ip_token)

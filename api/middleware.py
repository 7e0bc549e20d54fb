"""JSON, not HTML or plain text, for every error response under /api/."""

from api.errors import error_response

API_PREFIX = "/api/"


class JsonErrorsMiddleware:
    """Turns an error response under /api/ that is not JSON into the API's `{code, message}`
    (api.errors.STATUS_CODES), keeping its status and headers (Allow, security headers).

    Why a middleware: two answers never pass through anything public that could shape them.
    django-ninja answers a known path with an unsupported method itself, with a plain-text
    405 built inside its path view (no exception, so no exception handler sees it); and with
    DEBUG=1 Django answers an exception raised outside a view (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE or too many fields read by a middleware, a crash) with its
    HTML debug page before any handler400/handler500 runs. Everything the API itself
    refuses is already JSON (ninja's exception handlers, api.errors) and is left alone.
    Installed first in MIDDLEWARE, so it also sees the errors other middleware produce.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            response = self._as_json(response)
        return response

    @staticmethod
    def _as_json(original):
        response = error_response(original.status_code)
        for header, value in original.items():
            if header.lower() not in ("content-type", "content-length"):
                response[header] = value
        response.cookies = original.cookies
        return response

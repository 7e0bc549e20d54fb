"""Every error of the API is JSON `{"code": ..., "message": ...}` with a stable code.

The API's own refusals go through ninja's exception handlers (`install`). What happens
before or around an operation (an unknown path, a wrong method, an error while DEBUG=1 shows
Django's debug pages) is answered by `unknown_route` and api.middleware.JsonErrorsMiddleware
in the same shape, with the codes of `STATUS_CODES`.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, HttpError, ValidationError

from invitations import exceptions as invitation_errors
from memberships import exceptions as membership_errors
from security.api_auth import ApiAuthError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def forbidden(code: str) -> ApiError:
    return ApiError(403, "permission_denied", f"Your level does not allow this ({code}).")


# Business refusals of the services, by HTTP status. Anything a level or rule forbids is
# 403; a target that is not in the key's account is 404; the rest conflicts with the state.
_MEMBERSHIP_STATUS = {
    membership_errors.AccessDenied: 403,
    membership_errors.NotAllowed: 403,
    membership_errors.CannotChangeOwner: 403,
    membership_errors.CannotChangeSelf: 403,
    membership_errors.LevelNotGrantable: 403,
    membership_errors.NotAMember: 404,
}
_INVITATION_STATUS = {
    invitation_errors.NotAllowed: (403, "not_allowed"),
    invitation_errors.LevelNotAllowed: (403, "level_not_allowed"),
    invitation_errors.InvalidAddresses: (422, "invalid_addresses"),
    invitation_errors.SeatLimitReached: (409, "seat_limit_reached"),
    invitation_errors.InviteCapReached: (429, "invite_cap_reached"),
    invitation_errors.ResendLimitReached: (429, "resend_limit_reached"),
    invitation_errors.InvitationClosed: (409, "invitation_closed"),
}


# The code and message of an error the API's operations did not explain themselves, by status.
STATUS_CODES = {
    400: ("bad_request", "The request is not valid."),
    401: ("invalid_key", "A valid API key is required."),
    403: ("permission_denied", "This request is not allowed."),
    404: ("not_found", "There is no such endpoint in this API."),
    405: ("method_not_allowed", "This endpoint does not accept this HTTP method."),
    413: ("request_too_large", "The request body is larger than this API accepts."),
    429: ("rate_limited", "Too many requests."),
    500: ("server_error", "Something went wrong on our side. Try again later."),
}


def error_response(status: int) -> JsonResponse:
    code, message = STATUS_CODES.get(status, ("http_error", "The request failed."))
    return JsonResponse({"code": code, "message": message}, status=status)


@csrf_exempt  # it changes nothing; without this a POST would get the CSRF failure page
def unknown_route(request, *args, **kwargs):
    """Every path under /api/ that no operation has, whatever the method: JSON 404 (and no
    APPEND_SLASH redirect, which a POST cannot follow)."""
    return error_response(404)


def _json(api, request, status: int, code: str, message: str, **extra):
    response = api.create_response(
        request, {"code": code, "message": message, **extra}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def install(api) -> None:
    @api.exception_handler(ApiError)
    def api_error(request, exc):
        return _json(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(ApiAuthError)
    def auth_error(request, exc):
        return _json(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return _json(api, request, 401, "invalid_key", "A valid API key is required.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _json(api, request, 404, "not_found", "Not found in this account.")

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        errors = [
            {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
            for e in exc.errors
        ]
        return _json(
            api, request, 422, "invalid_request", "The request is not valid.", errors=errors
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        code, message = STATUS_CODES[413]
        return _json(api, request, 413, code, message)

    # Other refusals of a malformed request by Django (too many fields, a broken multipart
    # body): ninja's default would re-raise them, and DEBUG=1 would show a traceback page.
    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        code, message = STATUS_CODES[400]
        return _json(api, request, 400, code, message)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return _json(api, request, exc.status_code, "http_error", str(exc))

    @api.exception_handler(membership_errors.MembershipError)
    def membership_error(request, exc):
        status = _MEMBERSHIP_STATUS.get(type(exc), 409)
        return _json(api, request, status, exc.code, exc.message)

    @api.exception_handler(invitation_errors.InvitationError)
    def invitation_error(request, exc):
        status, code = _INVITATION_STATUS.get(type(exc), (409, "invitation_error"))
        extra = {}
        if isinstance(exc, invitation_errors.InvalidAddresses):
            extra["errors"] = [
                {"loc": ["emails", email], "msg": " ".join(reasons)}
                for email, reasons in exc.errors.items()
            ]
        return _json(api, request, status, code, exc.message, **extra)

"""The SCIM wire: responses in application/scim+json, RFC 7644 §3.12 error bodies, reading
request bodies (size first, then JSON, then the scim2-models schema), and the decorator every
endpoint wears (authentication by token, refusals turned into SCIM errors, never a 500 for
what a client sent)."""

import functools
import json

import pydantic
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_models import Context, Error, SCIMException, ScimPolicy

from audit.services import acting_as
from memberships.exceptions import (
    AccessDenied,
    CannotChangeOwner,
    CannotChangeSelf,
    LevelNotGrantable,
    LevelNotInPlan,
    MembershipError,
    NotAllowed,
    NotAMember,
)
from scim.auth import ScimAuthError, authenticate
from scim.exceptions import ScimRefusal

CONTENT_TYPE = "application/scim+json"
# The strict reading of RFC 7644 but for the two shapes Microsoft Entra ID sends: a `remove`
# whose value names the members to remove, and a path filter that names a value to create
# (emails[type eq "work"].value). Unknown attributes and schemas stay refused.
POLICY = ScimPolicy(
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


def scim_response(payload: dict | None, *, status: int = 200, location: str = "") -> HttpResponse:
    if payload is None:
        return HttpResponse(status=status)
    response = HttpResponse(
        json.dumps(payload), status=status, content_type=f"{CONTENT_TYPE}; charset=utf-8"
    )
    if location:
        response["Location"] = location
    return response


def dump(resource, *, ctx=Context.RESOURCE_QUERY_RESPONSE, params=None) -> dict:
    return resource.model_dump(scim_ctx=ctx, response_parameters=params)


def error_response(status: int, detail: str, scim_type: str = "") -> HttpResponse:
    error = Error(status=status, detail=detail, scim_type=scim_type or None)
    response = scim_response(error.model_dump(scim_ctx=Context.DEFAULT), status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="SCIM"'
    return response


class BadRequest(Exception):
    def __init__(self, detail: str, *, scim_type: str = "invalidSyntax", status: int = 400):
        super().__init__(detail)
        self.detail, self.scim_type, self.status = detail, scim_type, status


def read_json(request) -> dict:
    """The request body as a JSON object; BadRequest (413 past the size limit) otherwise."""
    limit = settings.SCIM_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BadRequest(f"The body is larger than {limit} bytes.", scim_type="", status=413)
    try:
        body = request.body
    except RequestDataTooBig:
        raise BadRequest(
            f"The body is larger than {limit} bytes.", scim_type="", status=413
        ) from None
    if len(body) > limit:
        raise BadRequest(f"The body is larger than {limit} bytes.", scim_type="", status=413)
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def validate(model, data: dict, ctx: Context):
    """`data` read as `model` (a scim2-models class) in the SCIM context `ctx`."""
    try:
        return model.model_validate(data, scim_ctx=ctx)
    except pydantic.ValidationError as error:
        raise _bad_request(error) from None
    except SCIMException as error:
        raise BadRequest(error.detail, scim_type=error.scim_type, status=error.status) from None


def _bad_request(error: pydantic.ValidationError) -> BadRequest:
    first = error.errors(include_url=False)[0] if error.errors() else {}
    ctx = first.get("ctx") or {}
    scim_type = ctx.get("scim_type") or "invalidValue"
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = first.get("msg", "Invalid value")
    status = ctx.get("status") or 400
    return BadRequest(
        f"{where}: {message}" if where else message, scim_type=scim_type, status=status
    )


_MEMBERSHIP_ERRORS = [
    (NotAMember, 404, ""),
    (CannotChangeOwner, 403, "mutability"),
    (CannotChangeSelf, 403, "mutability"),
    (NotAllowed, 403, ""),
    (LevelNotGrantable, 400, "invalidValue"),
    (LevelNotInPlan, 400, "invalidValue"),
]


def _membership_error_response(error: MembershipError) -> HttpResponse:
    if isinstance(error, ScimRefusal):
        return error_response(error.status, error.message, error.scim_type)
    if isinstance(error, AccessDenied):  # the creator lost access while the request ran
        return error_response(401, error.message)
    for cls, status, scim_type in _MEMBERSHIP_ERRORS:
        if isinstance(error, cls):
            return error_response(status, error.message, scim_type)
    return error_response(400, error.message)


def scim_endpoint(view):
    """Authenticates the token, runs `view(request, caller, ...)` with the activity log
    naming the token ("SCIM (Okta)"), and answers every refusal as a SCIM error."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            caller = authenticate(request)
        except ScimAuthError as error:
            return error_response(error.status, error.detail)
        try:
            with POLICY, acting_as(caller.token.actor_label):
                return view(request, caller, *args, **kwargs)
        except BadRequest as error:
            return error_response(error.status, error.detail, error.scim_type)
        except SCIMException as error:
            return error_response(error.status, error.detail, error.scim_type)
        except MembershipError as error:
            return _membership_error_response(error)

    return wrapper


@csrf_exempt
def not_found(request, *args, **kwargs):
    return error_response(404, "No such SCIM endpoint.")


def method_not_allowed(allowed: list[str]) -> HttpResponse:
    response = error_response(405, f"Use {', '.join(allowed)} here.")
    response["Allow"] = ", ".join(allowed)
    return response

"""/scim/v2/Users: list (filter, pagination, attributes), get, create, replace, patch,
delete. Each change goes through the services the Users page uses (people.services) or
scim.services, acting as the token's creator through the one access gate."""

from django.conf import settings
from scim2_models import Context, ListResponse, PatchOp, ResponseParameters, SearchRequest

from accounts.models import normalize_email
from accounts.roles import Role
from memberships.models import Membership, MembershipStatus
from people import services as people_services
from scim import services
from scim.exceptions import OwnerIsOutOfReach
from scim.filters import users_q
from scim.protocol import (
    BadRequest,
    dump,
    error_response,
    method_not_allowed,
    read_json,
    scim_endpoint,
    scim_response,
    validate,
)
from scim.resources import ScimUser, base_url, user_resource


def _members(account):
    return (
        Membership.objects.filter(account=account)
        .select_related("user", "scim_identity")
        .order_by("pk")
    )


def _member(account, user_id: str) -> Membership | None:
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    return _members(account).filter(pk=int(user_id)).first()


def _response_parameters(request):
    return validate(
        ResponseParameters[ScimUser],
        {
            "attributes": request.GET.get("attributes") or None,
            "excludedAttributes": request.GET.get("excludedAttributes") or None,
        },
        Context.RESOURCE_QUERY_REQUEST,
    )


@scim_endpoint
def users(request, caller):
    if request.method == "GET":
        return _list(request, caller)
    if request.method == "POST":
        return _create(request, caller)
    return method_not_allowed(["GET", "POST"])


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@scim_endpoint
def search(request, caller):
    """POST /Users/.search (RFC 7644 §3.4.3): the query in a SearchRequest body."""
    if request.method != "POST":
        return method_not_allowed(["POST"])
    body = read_json(request)
    return _list(request, caller, body)


def _list(request, caller, body: dict | None = None):
    params = body if body is not None else request.GET
    search = validate(
        SearchRequest[ScimUser],
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "filter": params.get("filter") or None,
            "attributes": params.get("attributes") or None,
            "excludedAttributes": params.get("excludedAttributes") or None,
        },
        Context.SEARCH_REQUEST,
    )
    start = max(_int(params.get("startIndex"), 1), 1)
    count = min(
        max(_int(params.get("count"), settings.SCIM_MAX_RESULTS), 0), settings.SCIM_MAX_RESULTS
    )
    rows = _members(caller.account)
    if search.filter is not None:
        rows = rows.filter(users_q(search.filter.ast)).distinct()
    total = rows.count()
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    base = base_url(request)
    response = ListResponse[ScimUser](
        total_results=total,
        start_index=start,
        items_per_page=len(page),
        resources=[user_resource(m, base) for m in page],
    )
    return scim_response(
        response.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=search)
    )


def _level_from_roles(resource: ScimUser) -> str | None:
    """A level named in the User's `roles` (Entra app roles send them): "Admin" or "admin"."""
    for role in resource.roles or []:
        value = str(role.value or role.display or "").strip().lower()
        if value in Role.values:
            return value
    return None


def _email_of(resource: ScimUser) -> str:
    """The login email: userName when it is an address, else the primary (or first) email."""
    candidates = [resource.user_name]
    primary = [e for e in resource.emails or [] if e.primary] + list(resource.emails or [])
    candidates += [e.value for e in primary]
    for email in candidates:
        if email and "@" in str(email):
            return normalize_email(str(email))
    raise BadRequest(
        "userName (or a work email) must be the person's email address.", scim_type="invalidValue"
    )


def _create(request, caller):
    resource = validate(ScimUser, read_json(request), Context.RESOURCE_CREATION_REQUEST)
    name = resource.name
    membership = services.provision_member(
        account=caller.account,
        email=_email_of(resource),
        first_name=(name.given_name if name else None) or "",
        last_name=(name.family_name if name else None) or "",
        level=_level_from_roles(resource),
        external_id=resource.external_id or "",
        active=resource.active is not False,
        actor=caller.actor,
    )
    base = base_url(request)
    created = user_resource(_members(caller.account).get(pk=membership.pk), base)
    return scim_response(
        dump(created, ctx=Context.RESOURCE_CREATION_RESPONSE),
        status=201,
        location=created.meta.location,
    )


@scim_endpoint
def user(request, caller, user_id: str):
    membership = _member(caller.account, user_id)
    if membership is None:
        return error_response(404, f"No user {user_id} in this account.")
    base = base_url(request)
    if request.method == "GET":
        params = _response_parameters(request)
        return scim_response(dump(user_resource(membership, base), params=params))
    if request.method == "PUT":
        desired = validate(ScimUser, read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
        _apply(caller, membership, desired)
    elif request.method == "PATCH":
        patch = validate(PatchOp[ScimUser], read_json(request), Context.RESOURCE_PATCH_REQUEST)
        desired = user_resource(membership, base)
        patch.patch(desired)
        _apply(caller, membership, desired)
    elif request.method == "DELETE":
        if membership.role == Role.OWNER:
            raise OwnerIsOutOfReach("SCIM cannot remove the Owner of the account.")
        people_services.revoke_member(
            account=caller.account, membership_id=membership.pk, actor=caller.actor
        )
        return scim_response(None, status=204)
    else:
        return method_not_allowed(["GET", "PUT", "PATCH", "DELETE"])
    return scim_response(dump(user_resource(_members(caller.account).get(pk=membership.pk), base)))


def _apply(caller, membership: Membership, desired: ScimUser) -> None:
    """Bring `membership` to `desired`, one service per kind of change."""
    user = membership.user
    if desired.user_name and normalize_email(str(desired.user_name)) != user.email:
        raise BadRequest(
            "userName is the person's Roster login email and cannot be changed by SCIM.",
            scim_type="mutability",
        )
    name = desired.name
    first = (name.given_name if name and name.given_name is not None else user.first_name) or ""
    last = (name.family_name if name and name.family_name is not None else user.last_name) or ""
    identity = getattr(membership, "scim_identity", None)
    old_external = identity.external_id if identity else ""
    external = desired.external_id or ""  # a PATCH's desired state starts from the current
    active = desired.active
    level = _level_from_roles(desired)
    changes_details = (first, last, external) != (user.first_name, user.last_name, old_external)
    changes_status = active is not None and active != (membership.status == MembershipStatus.ACTIVE)
    changes_level = level is not None and level != membership.role
    if not (changes_details or changes_status or changes_level):
        return
    if membership.role == Role.OWNER:
        raise OwnerIsOutOfReach("SCIM cannot change the Owner of the account.")
    account, actor = caller.account, caller.actor
    if changes_details:
        services.update_member_details(
            account=account,
            membership_id=membership.pk,
            first_name=first,
            last_name=last,
            external_id=external,
            actor=actor,
        )
    if changes_level:
        people_services.change_level(
            account=account, membership_id=membership.pk, level=level, actor=actor
        )
    if changes_status:
        change = people_services.reactivate_member if active else people_services.suspend_member
        change(account=account, membership_id=membership.pk, actor=actor)

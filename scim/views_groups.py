"""/scim/v2/Groups: the five levels. Adding a person to a group gives them that level (through
people.services.change_level, like the Users page); removing them gives them the account's
default level for provisioned people. The Owner group is read-only, and groups are neither
created nor deleted: they are Roster's levels."""

from collections import defaultdict

from scim2_models import Context, Group, ListResponse, PatchOp, ResponseParameters, ScimFilter

from accounts.roles import Role
from memberships.models import Membership
from people import services as people_services
from scim import services
from scim.exceptions import OwnerIsOutOfReach
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
from scim.resources import base_url, group_ids, group_resource

FIXED = (
    "Roster's groups are its five levels (Owner, Admin, Manager, Author, Viewer): "
    "they are neither created nor deleted."
)


def _wants_members(request) -> bool:
    excluded = (request.GET.get("excludedAttributes") or "").lower()
    attributes = (request.GET.get("attributes") or "").lower()
    return "members" not in excluded and (not attributes or "members" in attributes)


def _members_by_level(account, levels) -> dict[str, list[Membership]]:
    grouped = defaultdict(list)
    rows = (
        Membership.objects.filter(account=account, role__in=levels)
        .select_related("user")
        .only("pk", "role", "user__email")
        .order_by("pk")
    )
    for membership in rows:
        grouped[membership.role].append(membership)
    return grouped


@scim_endpoint
def groups(request, caller):
    if request.method == "POST":
        return error_response(403, FIXED)
    if request.method != "GET":
        return method_not_allowed(["GET"])
    search_filter = None
    if request.GET.get("filter"):
        try:
            search_filter = ScimFilter[Group](request.GET["filter"])
        except (ValueError, TypeError) as error:
            raise BadRequest(f"Invalid filter: {error}", scim_type="invalidFilter") from None
    base = base_url(request)
    wanted = _wants_members(request) or search_filter is not None
    grouped = _members_by_level(caller.account, group_ids()) if wanted else {}
    items = [
        group_resource(level, grouped.get(level, []) if wanted else None, base)
        for level in group_ids()
    ]
    if search_filter is not None:
        items = [g for g in items if search_filter.match(g)]
    response = ListResponse[Group](
        total_results=len(items), start_index=1, items_per_page=len(items), resources=items
    )
    params = validate(
        ResponseParameters[Group],
        {
            "attributes": request.GET.get("attributes") or None,
            "excludedAttributes": request.GET.get("excludedAttributes") or None,
        },
        Context.RESOURCE_QUERY_REQUEST,
    )
    return scim_response(
        response.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=params)
    )


@scim_endpoint
def group(request, caller, group_id: str):
    if group_id not in group_ids():
        return error_response(
            404, f"No group {group_id}: groups are the levels {', '.join(group_ids())}."
        )
    base = base_url(request)
    current_members = _members_by_level(caller.account, [group_id]).get(group_id, [])
    current = group_resource(group_id, current_members, base)
    if request.method == "GET":
        return scim_response(dump(current))
    if request.method == "DELETE":
        return error_response(403, FIXED)
    if request.method == "PUT":
        desired = validate(Group, read_json(request), Context.RESOURCE_REPLACEMENT_REQUEST)
        if desired.members is None:
            desired.members = []
    elif request.method == "PATCH":
        patch = validate(PatchOp[Group], read_json(request), Context.RESOURCE_PATCH_REQUEST)
        desired = current.model_copy(deep=True)
        patch.patch(desired)
    else:
        return method_not_allowed(["GET", "PUT", "PATCH"])
    _apply(caller, group_id, current, desired)
    members = _members_by_level(caller.account, [group_id]).get(group_id, [])
    return scim_response(dump(group_resource(group_id, members, base)))


def _ids(group_resource_) -> set[str]:
    return {str(m.value) for m in group_resource_.members or [] if m.value is not None}


def _apply(caller, level: str, current: Group, desired: Group) -> None:
    if desired.display_name and desired.display_name.lower() not in {
        level,
        Role(level).label.lower(),
    }:
        raise BadRequest("A group's name is its level's name.", scim_type="mutability")
    added, removed = _ids(desired) - _ids(current), _ids(current) - _ids(desired)
    if not (added or removed):
        return
    if level == Role.OWNER:
        raise OwnerIsOutOfReach(
            "The Owner group is read-only: ownership is transferred in Roster, never by SCIM."
        )
    account, actor = caller.account, caller.actor
    found = {
        str(m.pk): m
        for m in Membership.objects.filter(
            account=account, pk__in=[int(i) for i in added | removed if i.isdigit() and len(i) < 19]
        )
    }
    unknown = sorted((added | removed) - set(found))
    if unknown:
        raise BadRequest(f"No user {', '.join(unknown)} in this account.", scim_type="invalidValue")
    if any(found[i].role == Role.OWNER for i in added):
        raise OwnerIsOutOfReach("SCIM cannot change the Owner's level.")
    default = services.provisioning_of(account).default_level
    for member_id in sorted(added, key=int):
        people_services.change_level(
            account=account, membership_id=int(member_id), level=level, actor=actor
        )
    for member_id in sorted(removed, key=int):
        people_services.change_level(
            account=account, membership_id=int(member_id), level=default, actor=actor
        )

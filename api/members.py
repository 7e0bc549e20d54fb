from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Status

from api.errors import forbidden
from api.schemas import MAX_ID, Error, LevelChange, Member, MemberList, Page, ValidationErrorOut
from memberships.selectors import member_rows, members_page
from people import services

router = Router(tags=["members"])

# 400: a key in the query string; 401: bad key; 403: level; 422: invalid input; 429: limits.
ERRORS = {400: Error, 401: Error, 403: Error, 422: ValidationErrorOut, 429: Error}
ERRORS_404 = {**ERRORS, 404: Error}

MemberId = Path(..., ge=1, le=MAX_ID, description="The membership id.")


def _require(caller, code: str) -> None:
    if not caller.can(code):
        raise forbidden(code)


def _member_out(m) -> dict:
    return {
        "id": m.pk,
        "email": m.user.email,
        "first_name": m.user.first_name,
        "last_name": m.user.last_name,
        "level": m.role,
        "status": m.status,
        "two_factor_enabled": m.has_2fa,
        "joined_at": m.created_at,
        "access_until": m.access_until,
    }


def _get_member(caller, member_id: int):
    # Filtered by the key's account: another account's ids are simply not found (404).
    return get_object_or_404(member_rows(members_page(caller.account)), pk=member_id)


@router.get("/members", response={200: MemberList, **ERRORS}, summary="List members")
def list_members(request, page: Query[Page]):
    caller = request.auth
    _require(caller, "members.view")
    members = members_page(caller.account)
    items = [_member_out(m) for m in member_rows(members[page.offset : page.offset + page.limit])]
    return {"count": members.count(), "items": items}


@router.get("/members/{member_id}", response={200: Member, **ERRORS_404}, summary="Get a member")
def get_member(request, member_id: int = MemberId):
    caller = request.auth
    _require(caller, "members.view")
    return _member_out(_get_member(caller, member_id))


@router.patch(
    "/members/{member_id}",
    response={200: Member, **ERRORS_404, 409: Error},
    summary="Change a member's level",
)
def change_member_level(request, payload: LevelChange, member_id: int = MemberId):
    caller = request.auth
    _require(caller, "members.view")
    member = _get_member(caller, member_id)
    services.change_level(
        account=caller.account,
        membership_id=member.pk,
        level=str(payload.level.value),
        actor=caller.user,
    )
    return _member_out(_get_member(caller, member_id))


@router.delete(
    "/members/{member_id}",
    response={204: None, **ERRORS_404, 409: Error},
    summary="Revoke a member's access",
)
def revoke_member(request, member_id: int = MemberId):
    caller = request.auth
    _require(caller, "members.view")
    member = _get_member(caller, member_id)
    services.revoke_member(account=caller.account, membership_id=member.pk, actor=caller.user)
    return Status(204, None)

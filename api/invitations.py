from django.shortcuts import get_object_or_404
from ninja import Path, Router, Status

from api.errors import forbidden
from api.schemas import (
    MAX_ID,
    Error,
    InvitationCreate,
    InvitationList,
    ValidationErrorOut,
)
from invitations import services
from invitations.models import Invitation as InvitationModel
from invitations.selectors import pending_invitations

router = Router(tags=["invitations"])

# 400: a key in the query string; 401: bad key; 403: level; 422: invalid input; 429: limits.
ERRORS = {400: Error, 401: Error, 403: Error, 422: ValidationErrorOut, 429: Error}


def _require(caller, code: str) -> None:
    if not caller.can(code):
        raise forbidden(code)


def _invitation_out(invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "level": invitation.role,
        "status": "expired" if invitation.is_expired else invitation.status,
        "invited_by": invitation.invited_by.email if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


@router.get(
    "/invitations", response={200: InvitationList, **ERRORS}, summary="List pending invitations"
)
def list_invitations(request):
    caller = request.auth
    _require(caller, "members.view")
    items = [_invitation_out(i) for i in pending_invitations(caller.account)]
    return {"count": len(items), "items": items}


@router.post(
    "/invitations",
    response={201: InvitationList, **ERRORS, 409: Error},
    summary="Invite people",
    description="Same rules, caps and emails as the Invite form: all addresses or none.",
)
def create_invitations(request, payload: InvitationCreate):
    caller = request.auth
    _require(caller, "members.invite")
    created = services.invite_users(
        accounts=[caller.account],
        emails=payload.emails,
        level=str(payload.level.value),
        message=payload.message,
        actor=caller.user,
    )
    for invitation in created:
        invitation.invited_by = caller.user
    items = [_invitation_out(i) for i in created]
    return Status(201, {"count": len(items), "items": items})


@router.delete(
    "/invitations/{invitation_id}",
    response={204: None, **ERRORS, 404: Error, 409: Error},
    summary="Cancel an invitation",
)
def cancel_invitation(
    request, invitation_id: int = Path(..., ge=1, le=MAX_ID, description="The invitation id.")
):
    caller = request.auth
    _require(caller, "members.invite")
    # Another account's ids are not found (404), before any service runs.
    invitation = get_object_or_404(InvitationModel, account=caller.account, pk=invitation_id)
    services.cancel_invitation(
        account=caller.account, invitation_id=invitation.pk, actor=caller.user
    )
    return Status(204, None)

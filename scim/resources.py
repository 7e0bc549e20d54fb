"""Roster as SCIM resources (scim2-models): a User is a membership of the token's account,
a Group is one of the five levels.

- User.id is the membership's id (so an id of another account is simply not found), userName
  and the one work email are the login email, active is "not suspended", groups (read-only)
  name the person's level.
- Group.id is the level's code ("admin"), displayName its label ("Admin"), members the
  people at that level.
"""

from scim2_models import (
    Email,
    EnterpriseUser,
    Group,
    GroupMember,
    GroupMembership,
    Meta,
    Name,
    User,
)

from accounts.roles import ROLES_HIGHEST_FIRST, Role
from memberships.models import Membership, MembershipStatus

# Identity providers send the enterprise extension (Entra always does); Roster keeps none of
# its attributes, but accepts it.
ScimUser = User[EnterpriseUser]


def base_url(request) -> str:
    return request.build_absolute_uri("/scim/v2/")


def user_resource(membership: Membership, base: str) -> ScimUser:
    user = membership.user
    identity = getattr(membership, "scim_identity", None)
    full_name = f"{user.first_name} {user.last_name}".strip()
    return ScimUser(
        id=str(membership.pk),
        external_id=identity.external_id if identity else None,
        user_name=user.email,
        name=Name(
            given_name=user.first_name or None,
            family_name=user.last_name or None,
            formatted=full_name or None,
        ),
        display_name=full_name or user.email,
        emails=[Email(value=user.email, type="work", primary=True)],
        active=membership.status == MembershipStatus.ACTIVE,
        groups=[
            GroupMembership(
                value=membership.role,
                display=Role(membership.role).label,
                ref=f"{base}Groups/{membership.role}",
                type="direct",
            )
        ],
        meta=Meta(
            resource_type="User",
            created=membership.created_at,
            last_modified=membership.created_at,
            location=f"{base}Users/{membership.pk}",
        ),
    )


def group_ids() -> list[str]:
    return [role.value for role in ROLES_HIGHEST_FIRST]


def group_resource(role: str, members: list[Membership] | None, base: str) -> Group:
    return Group(
        id=role,
        display_name=Role(role).label,
        members=None
        if members is None
        else [
            GroupMember(value=str(m.pk), display=m.user.email, ref=f"{base}Users/{m.pk}")
            for m in members
        ],
        meta=Meta(resource_type="Group", location=f"{base}Groups/{role}"),
    )

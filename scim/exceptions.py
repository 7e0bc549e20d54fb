"""Refusals of SCIM changes, each with a message a person (an IT admin reading the identity
provider's log) can read, and the SCIM status and scimType the endpoints answer with."""

from memberships.exceptions import MembershipError


class ScimRefusal(MembershipError):
    code = "scim_refusal"
    status = 400
    scim_type = ""


class ProvisioningOff(ScimRefusal):
    code = "provisioning_off"
    status = 403


class PlanWithoutProvisioning(ScimRefusal):
    code = "plan_without_provisioning"
    status = 403


class AlreadyAMember(ScimRefusal):
    code = "already_a_member"
    status = 409
    scim_type = "uniqueness"


class NoSeatLeft(ScimRefusal):
    code = "no_seat_left"
    status = 403


class OwnerIsOutOfReach(ScimRefusal):
    code = "owner_out_of_reach"
    status = 403
    scim_type = "mutability"


class LevelRefused(ScimRefusal):
    code = "level_refused"
    scim_type = "invalidValue"


class TokenNotFound(ScimRefusal):
    code = "token_not_found"
    status = 404

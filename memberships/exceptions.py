"""Business refusals of membership changes, each with a message a person can read."""


class MembershipError(Exception):
    code = "membership_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(MembershipError):
    code = "not_allowed"


class NotAMember(MembershipError):
    code = "not_a_member"


class CannotChangeOwner(MembershipError):
    code = "cannot_change_owner"


class CannotChangeSelf(MembershipError):
    code = "cannot_change_self"


class LevelNotGrantable(MembershipError):
    code = "level_not_grantable"


class LevelNotInPlan(MembershipError):
    code = "level_not_in_plan"


class OwnerCannotLeave(MembershipError):
    code = "owner_cannot_leave"


class TransferTargetNotAdmin(MembershipError):
    code = "transfer_target_not_admin"


class AccessDenied(MembershipError):
    """The access gate (memberships.access) refused: `refusal` says why."""

    def __init__(self, refusal, message: str):
        super().__init__(message)
        self.refusal = refusal
        self.code = str(refusal)


class InvalidAccessUntil(MembershipError):
    code = "invalid_access_until"

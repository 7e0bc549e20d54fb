"""Refusals of security actions, each with a message a person can read."""


class SecurityError(Exception):
    code = "security_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(SecurityError):
    code = "not_allowed"


class NotAMember(SecurityError):
    code = "not_a_member"


class CannotResetOwnTwoFactor(SecurityError):
    code = "cannot_reset_self"

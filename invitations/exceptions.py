"""Business refusals of the invitation services, each with a message a person can read."""


class InvitationError(Exception):
    """Base class: `str(error)` is shown to the person."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class NotAllowed(InvitationError):
    pass


class InvalidAddresses(InvitationError):
    """The whole batch is refused; `errors` maps each refused address to its reasons."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(
            "Nothing was sent: "
            + " ".join(f"{email}: {' '.join(reasons)}" for email, reasons in errors.items())
        )


class LevelNotAllowed(InvitationError):
    pass


class AccessUntilNotAllowed(InvitationError):
    """The "access until" moment is in the past or more than a year ahead."""


class SeatLimitReached(InvitationError):
    pass


class InviteCapReached(InvitationError):
    pass


class ResendLimitReached(InvitationError):
    pass


class InvitationClosed(InvitationError):
    """The invitation can no longer be used (accepted, declined, cancelled or expired)."""


class WrongUser(InvitationError):
    pass

"""Account-settings refusals, each with a message a person can read."""


class AccountSettingsError(Exception):
    """Base class: str(error) is shown to the person who asked."""


class NotAllowed(AccountSettingsError):
    def __init__(self, what: str):
        super().__init__(f"Your level does not allow you to {what}.")


class AccountAlreadyClosed(AccountSettingsError):
    def __init__(self):
        super().__init__("This account is already closed.")


class AccountNotClosed(AccountSettingsError):
    def __init__(self):
        super().__init__("This account is open; there is nothing to reopen.")


class ReopenWindowPassed(AccountSettingsError):
    def __init__(self, deadline):
        super().__init__(
            f"This account can no longer be reopened: the last day was {deadline:%d %b %Y}."
        )

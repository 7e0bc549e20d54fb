"""Refusals of API key actions, each with a message a person can read."""


class ApiKeyError(Exception):
    code = "apikey_error"
    message = "This API key action is not possible."

    def __init__(self, message: str | None = None):
        if message is not None:
            self.message = message
        super().__init__(self.message)


class ApiKeyPermissionDenied(ApiKeyError):
    code = "permission_denied"
    message = "Your level does not allow this action on API keys."


class AccountClosed(ApiKeyError):
    code = "account_closed"
    message = "This account is closed: its API keys cannot be created or changed."

"""Refusals of text-message actions, each with a message a person can read."""


class SmsError(Exception):
    code = "sms_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SendLimitReached(SmsError):
    code = "send_limit"

    def __init__(self, wait_seconds: int):
        self.wait_seconds = max(1, int(wait_seconds))
        super().__init__(f"A new code can be sent in {self.wait_seconds} s.")


class NoVerifiedNumber(SmsError):
    code = "no_verified_number"


class NumberInUse(SmsError):
    code = "number_in_use"


class DeliveryFailed(SmsError):
    """A backend could not hand the message to the provider (the task records it)."""

    code = "delivery_failed"

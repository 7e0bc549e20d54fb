"""Refusals of the ownership transfer services, each with a message a person can read.

They extend memberships' errors: every door that shows a MembershipError shows these too.
"""

from memberships.exceptions import MembershipError


class TransferError(MembershipError):
    code = "transfer_error"


class TransferAlreadyPending(TransferError):
    code = "transfer_already_pending"


class TransferClosed(TransferError):
    """The transfer was accepted, declined, cancelled or expired, or is not this person's."""

    code = "transfer_closed"

"""Refusals of the join request services, each with a message a person can read.

They extend memberships' errors: every door that shows a MembershipError shows these too.
"""

from memberships.exceptions import MembershipError


class JoiningError(MembershipError):
    code = "joining_error"


class JoinLinkClosed(JoiningError):
    """No account takes requests through this link: unknown, regenerated, switched off or
    closed. One message for all, so a link tells nothing about the account behind it."""

    code = "join_link_closed"

    def __init__(self, message: str = "This join link does not work."):
        super().__init__(message)


class JoinRequestRefused(JoiningError):
    code = "join_request_refused"


class EmailNotVerified(JoinRequestRefused):
    code = "email_not_verified"


class JoinRequestClosed(JoiningError):
    """The request was already answered, withdrawn, closed or expired."""

    code = "join_request_closed"

"""Refusals of security actions: the membership refusals, plus the ones only security has."""

from memberships.exceptions import CannotChangeSelf, MembershipError, NotAllowed, NotAMember

__all__ = ["CannotResetOwnTwoFactor", "MembershipError", "NotAMember", "NotAllowed"]


class CannotResetOwnTwoFactor(CannotChangeSelf):
    code = "cannot_reset_self"

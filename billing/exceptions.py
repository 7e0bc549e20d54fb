"""Billing refusals, each with a message a person can read."""


class BillingError(Exception):
    """Base class: str(error) is shown to the person who asked."""


class NotAllowedToManageBilling(BillingError):
    def __init__(self):
        super().__init__("Only the Owner, or Admins when the Owner allows it, can manage billing.")


class PlanChangeBlocked(BillingError):
    """A downgrade that the account does not fit into yet; `blockers` says who must change."""

    def __init__(self, plan, blockers):
        self.plan = plan
        self.blockers = blockers
        super().__init__(
            f"{plan.name} cannot be chosen yet: {len(blockers)} "
            f"thing{'s' if len(blockers) != 1 else ''} must change first."
        )


class UnknownPlan(BillingError):
    def __init__(self, code):
        super().__init__(f"There is no plan called “{code}”.")

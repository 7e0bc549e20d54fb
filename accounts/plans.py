"""Plans: which levels an account may use and how many seats it has.

Active members, suspended members and pending invitations all take seats.
"""

from dataclasses import dataclass

from django.db import models

from accounts.roles import ROLES_HIGHEST_FIRST, Role


class PlanCode(models.TextChoices):
    FREE = "free", "Free"
    ESSENTIALS = "essentials", "Essentials"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"


@dataclass(frozen=True)
class Plan:
    code: str
    name: str
    roles: frozenset[str]
    seats: int | None  # None: unlimited

    def offers(self, role: str) -> bool:
        return role in self.roles

    @property
    def roles_highest_first(self) -> list[Role]:

        return [r for r in ROLES_HIGHEST_FIRST if r in self.roles]

    @property
    def seats_label(self) -> str:
        return "Unlimited" if self.seats is None else str(self.seats)


PLANS: dict[str, Plan] = {
    PlanCode.FREE: Plan(PlanCode.FREE, "Free", frozenset({Role.OWNER}), 1),
    PlanCode.ESSENTIALS: Plan(
        PlanCode.ESSENTIALS, "Essentials", frozenset({Role.OWNER, Role.ADMIN}), 3
    ),
    PlanCode.STANDARD: Plan(
        PlanCode.STANDARD,
        "Standard",
        frozenset({Role.OWNER, Role.ADMIN, Role.AUTHOR, Role.VIEWER}),
        5,
    ),
    PlanCode.PREMIUM: Plan(PlanCode.PREMIUM, "Premium", frozenset(Role.values), None),
}


def get_plan(code: str) -> Plan:
    return PLANS[code]

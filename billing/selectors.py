"""Reads shared by the billing pages, the plan-change service and the account export."""

from dataclasses import dataclass

from accounts.plans import PLANS, Plan
from accounts.roles import label as role_label
from billing.models import BillingAddress, Invoice
from invitations.models import Invitation
from invitations.selectors import seats_used
from memberships.models import Membership


@dataclass(frozen=True)
class Blocker:
    """One reason a plan cannot be chosen yet, and what would fix it."""

    who: str
    reason: str
    fix: str


def pending_invitations_of(account):
    """Invitations that hold a seat and a working link (pending, not past expiry)."""

    return Invitation.objects.pending().filter(account=account).order_by("email")


def plan_blockers(account, plan: Plan) -> list[Blocker]:
    """Everything that must change before `account` fits `plan`: people and pending
    invitations at levels the plan does not offer, then seats over the plan's limit."""
    blockers = []
    off_plan_members = (
        Membership.objects.filter(account=account)
        .exclude(role__in=plan.roles)
        .select_related("user")
        .order_by("user__email")
    )
    for membership in off_plan_members:
        blockers.append(
            Blocker(
                who=f"{membership.user.display_name} ({membership.user.email})",
                reason=f"is {role_label(membership.role)}, a level {plan.name} does not offer",
                fix="Change their level or revoke their access on the Users page.",
            )
        )
    for invitation in pending_invitations_of(account):
        if not plan.offers(invitation.role):
            blockers.append(
                Blocker(
                    who=f"Invitation to {invitation.email}",
                    reason=(
                        f"is for {role_label(invitation.role)}, a level {plan.name} does not offer"
                    ),
                    fix="Cancel the invitation, then invite them again at an offered level.",
                )
            )
    if plan.seats is not None:
        used = seats_used(account)
        if used > plan.seats:
            extra = used - plan.seats
            blockers.append(
                Blocker(
                    who=f"{used} seats in use",
                    reason=(
                        f"members (active and suspended) and pending invitations take {used} "
                        f"seats; {plan.name} has {plan.seats}"
                    ),
                    fix=f"Revoke access or cancel invitations for {extra} of them.",
                )
            )
    return blockers


def plan_choices(account) -> list[dict]:
    """Every plan with its price, for the Subscription page."""
    from django.conf import settings

    return [
        {
            "plan": plan,
            "price_cents": settings.PLAN_PRICES[plan.code],
            "price": f"{settings.PLAN_PRICES[plan.code] / 100:.2f}",
            "current": plan.code == account.plan,
        }
        for plan in PLANS.values()
    ]


def billing_address_of(account) -> BillingAddress | None:
    return BillingAddress.objects.filter(account=account).first()


def invoices_of(account):
    return Invoice.objects.filter(account=account).order_by("-sequence")


def get_invoice(account, number: str) -> Invoice:
    """The invoice `number` of `account`; Http404 for another account's number."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Invoice, account=account, number=number)

"""Billing state changes: change the plan (issuing an invoice) and update the billing address."""

import calendar
import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import queue_email
from accounts.models import Account
from accounts.plans import PLANS
from accounts.roles import Role
from audit.models import Action
from audit.services import record_event
from billing.exceptions import (
    BillingError,
    NotAllowedToManageBilling,
    PlanChangeBlocked,
    UnknownPlan,
)
from billing.models import BillingAddress, Invoice, InvoiceStatus
from billing.selectors import plan_blockers
from memberships import access
from memberships.exceptions import MembershipError, NotAllowed
from memberships.models import Membership


def _lock_account(account) -> Account:
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _check_can_manage(actor, account) -> None:
    try:
        access.require(actor, account, permission="billing.manage")
    except NotAllowed:
        raise NotAllowedToManageBilling() from None
    except MembershipError as refusal:
        raise BillingError(refusal.message) from None


def invoice_period_end(day: datetime.date) -> datetime.date:
    """The last day of a one-month period starting on `day` (31 Jan -> 28/29 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    next_day = day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
    return next_day - datetime.timedelta(days=1)


def _bill_to(account) -> str:
    address = BillingAddress.objects.filter(account=account).first()
    return "\n".join(address.lines()) if address else account.name


@transaction.atomic(savepoint=False)
def _issue_invoice(*, account, plan_code: str, previous_plan: str, actor) -> Invoice:
    """Runs with the account row locked, so max(sequence) + 1 cannot be taken twice."""
    last = Invoice.objects.filter(account=account).order_by("-sequence").first()
    sequence = (last.sequence + 1) if last else 1
    amount = settings.PLAN_PRICES[plan_code]
    start = timezone.localdate()
    return Invoice.objects.create(
        account=account,
        sequence=sequence,
        number=f"R{account.pk:05d}-{sequence:04d}",
        period_start=start,
        period_end=invoice_period_end(start),
        plan=plan_code,
        previous_plan=previous_plan,
        amount_cents=amount,
        currency=settings.PLAN_CURRENCY,
        # No payment provider: a free plan is settled at once, a paid one is due.
        status=InvoiceStatus.PAID if amount == 0 else InvoiceStatus.OPEN,
        bill_to=_bill_to(account),
        created_by=actor,
    )


def _billing_recipients(account) -> list[str]:
    address = BillingAddress.objects.filter(account=account).first()
    if address and address.billing_email:
        return [address.billing_email]
    owner = Membership.objects.filter(account=account, role=Role.OWNER).select_related("user")
    return [m.user.email for m in owner]


@transaction.atomic(durable=True)
def change_plan(*, account, plan: str, actor) -> Invoice | None:
    """Move `account` to `plan` and issue its invoice, or change nothing.

    Guarantees: the account fits the new plan (levels offered, seats) at the moment the plan
    changes; otherwise PlanChangeBlocked lists every blocker and nothing is saved. Every change
    issues exactly one invoice and one activity-log row. Choosing the current plan is a no-op.
    """
    new_plan = PLANS.get(plan)
    if new_plan is None:
        raise UnknownPlan(plan)
    # Lock the account: an invitation sent or a level raised while we count seats and levels
    # would otherwise slip past the check; invitations lock the same row.
    account = _lock_account(account)
    _check_can_manage(actor, account)
    old_plan = account.plan
    if old_plan == new_plan.code:
        return None
    blockers = plan_blockers(account, new_plan)
    if blockers:
        raise PlanChangeBlocked(new_plan, blockers)
    account.plan = new_plan.code
    account.save(update_fields=["plan"])
    invoice = _issue_invoice(
        account=account, plan_code=new_plan.code, previous_plan=old_plan, actor=actor
    )
    record_event(
        account=account,
        actor=actor,
        action=Action.PLAN_CHANGED,
        target_label=f"Invoice {invoice.number}",
        old_value=PLANS[old_plan].name,
        new_value=new_plan.name,
    )
    queue_email(
        to=_billing_recipients(account),
        template="billing_invoice_issued",
        context={
            "account_name": account.name,
            "number": invoice.number,
            "plan": new_plan.name,
            "amount": invoice.amount_display,
            "period": f"{invoice.period_start:%d %b %Y} to {invoice.period_end:%d %b %Y}",
            "invoice_path": reverse(
                "billing:invoice", kwargs={"slug": account.slug, "number": invoice.number}
            ),
        },
    )
    return invoice


@transaction.atomic(durable=True)
def update_billing_address(*, account, actor, fields: dict) -> BillingAddress:
    """Create or update the billing address from already-validated `fields`.

    Only BillingAddress.EDITABLE_FIELDS are read. Saving unchanged values writes nothing and
    records nothing.
    """
    account = _lock_account(account)
    _check_can_manage(actor, account)
    values = {name: fields.get(name, "") for name in BillingAddress.EDITABLE_FIELDS}
    address = BillingAddress.objects.filter(account=account).first()
    if address is None:
        address = BillingAddress.objects.create(account=account, **values)
        changed = [name for name, value in values.items() if value]
    else:
        changed = [name for name, value in values.items() if getattr(address, name) != value]
        if not changed:
            return address
        for name in changed:
            setattr(address, name, values[name])
        address.save(update_fields=[*changed, "updated_at"])
    labels = [str(BillingAddress._meta.get_field(name).verbose_name) for name in changed]
    record_event(
        account=account,
        actor=actor,
        action=Action.BILLING_ADDRESS_CHANGED,
        target_label="Billing address",
        new_value=", ".join(labels)[:254],
    )
    return address

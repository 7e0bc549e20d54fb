from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.plans import PLANS
from billing import documents
from billing.exceptions import BillingError, PlanChangeBlocked
from billing.forms import BillingAddressForm, ChangePlanForm
from billing.selectors import (
    billing_address_of,
    get_invoice,
    invoices_of,
    plan_blockers,
    plan_choices,
)
from billing.services import change_plan, invoice_period_end, update_billing_address
from invitations.selectors import seats_used
from memberships.mixins import PermissionRequiredMixin


class BillingMixin(PermissionRequiredMixin):
    permission = "billing.manage"


class SubscriptionView(BillingMixin, FormView):
    template_name = "billing/subscription.html"
    form_class = ChangePlanForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.account}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.account.plan_info
        used = seats_used(self.account)
        context.update(
            plan=plan,
            seats_used=used,
            seats_available=None if plan.seats is None else max(plan.seats - used, 0),
            plans=plan_choices(self.account),
            latest_invoice=invoices_of(self.account).first(),
            currency=settings.PLAN_CURRENCY,
        )
        return context

    def needs_confirmation(self, form) -> bool:
        """A move to a dearer plan is applied only once the person has confirmed the very price
        that will be charged; a downgrade or a move to a free plan applies at once."""
        new_price = settings.PLAN_PRICES[form.cleaned_data["plan"]]
        if new_price <= settings.PLAN_PRICES[self.account.plan]:
            return False
        return form.cleaned_data.get("confirmed_price_cents") != new_price

    def render_confirmation(self, form):
        plan = PLANS[form.cleaned_data["plan"]]
        price_cents = settings.PLAN_PRICES[plan.code]
        today = timezone.localdate()
        # The base view's context (account, sidebar), not this page's plan table.
        context = super().get_context_data(form=form)
        context.update(
            {
                "current_plan": self.account.plan_info,
                "new_plan": plan,
                "price_cents": price_cents,
                "price": f"{price_cents / 100:.2f}",
                "currency": settings.PLAN_CURRENCY,
                "charged_on": today,
                "period_end": invoice_period_end(today),
            }
        )
        return self.response_class(
            request=self.request,
            template="billing/confirm_plan_change.html",
            context=context,
            using=self.template_engine,
        )

    def form_valid(self, form):
        plan = PLANS[form.cleaned_data["plan"]]
        # Blockers are listed before any price is asked for: confirming a change that would
        # then be refused wastes the person's time.
        if self.needs_confirmation(form) and not plan_blockers(self.account, plan):
            return self.render_confirmation(form)
        try:
            invoice = change_plan(
                account=self.account, plan=form.cleaned_data["plan"], actor=self.request.user
            )
        except PlanChangeBlocked as error:
            form.add_error("plan", str(error))
            return self.render_to_response(
                self.get_context_data(form=form, blockers=error.blockers, blocked_plan=error.plan)
            )
        except BillingError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.account.name} is now on {invoice.plan_name}. Invoice {invoice.number} "
            "has been issued.",
        )
        return redirect("billing:subscription", slug=self.account.slug)


class AddressView(BillingMixin, FormView):
    template_name = "billing/address.html"
    form_class = BillingAddressForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": billing_address_of(self.account)}

    def form_valid(self, form):
        try:
            update_billing_address(
                account=self.account, actor=self.request.user, fields=form.cleaned_data
            )
        except BillingError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The billing address is saved.")
        return redirect("billing:address", slug=self.account.slug)


class InvoicesView(BillingMixin, TemplateView):
    template_name = "billing/invoices.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(invoices=invoices_of(self.account), **kwargs)


class InvoiceDetailView(BillingMixin, TemplateView):
    """The printable invoice page."""

    template_name = "billing/invoice.html"

    def get_context_data(self, **kwargs):
        invoice = get_invoice(self.account, self.kwargs["number"])
        return super().get_context_data(invoice=invoice, **kwargs)


class InvoicePdfView(BillingMixin, View):
    def get(self, request, *args, **kwargs):
        invoice = get_invoice(self.account, kwargs["number"])
        response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.pdf"'
        return response


class InvoiceCsvView(BillingMixin, View):
    def get(self, request, *args, **kwargs):
        invoice = get_invoice(self.account, kwargs["number"])
        response = HttpResponse(documents.invoice_csv(invoice), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="invoice-{invoice.number}.csv"'
        return response

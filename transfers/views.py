"""The Admin's review of an offer of ownership (accept with their password, or decline) and
the Owner's cancel. Thin: each POST calls one service in transfers.services."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView

from memberships.exceptions import MembershipError
from memberships.mixins import MembershipRequiredMixin, PermissionRequiredMixin
from transfers import services
from transfers.forms import AcceptTransferForm, TransferAnswerForm
from transfers.models import TRANSFER_EXPIRY
from transfers.selectors import pending_transfer


class ReviewTransferView(MembershipRequiredMixin, FormView):
    """/a/<slug>/ownership-transfer/: the offer addressed to the visitor, if any."""

    template_name = "transfers/review.html"

    def get_form(self, form_class=None):
        return AcceptTransferForm(**self.get_form_kwargs(), user=self.request.user)

    def get_initial(self):
        transfer = self.offer()
        return {"transfer": transfer.pk} if transfer else {}

    def offer(self):
        if not hasattr(self, "_offer"):
            transfer = pending_transfer(self.account)
            mine = transfer is not None and transfer.to_user_id == self.request.user.pk
            self._offer = transfer if mine else None
        return self._offer

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["transfer"] = self.offer()
        context["expiry_days"] = TRANSFER_EXPIRY.days
        return context

    def form_valid(self, form):
        try:
            services.accept_transfer(
                account=self.account,
                transfer_id=form.cleaned_data["transfer"],
                actor=self.request.user,
            )
        except MembershipError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"You are now the Owner of {self.account.name}. Thank you.")
        return redirect("overview", slug=self.account.slug)


class DeclineTransferView(MembershipRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TransferAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was declined: open the offer again.")
            return redirect("transfers:review", slug=self.account.slug)
        try:
            services.decline_transfer(
                account=self.account, transfer_id=form.cleaned_data["transfer"], actor=request.user
            )
        except MembershipError as error:
            messages.error(request, error.message)
            return redirect("transfers:review", slug=self.account.slug)
        messages.success(request, "You declined the offer of ownership. Nothing changed.")
        return redirect("overview", slug=self.account.slug)


class CancelTransferView(PermissionRequiredMixin, View):
    permission = "ownership.transfer"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = TransferAnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was cancelled: open the transfer page again.")
            return redirect("people:transfer", slug=self.account.slug)
        try:
            services.cancel_transfer(
                account=self.account, transfer_id=form.cleaned_data["transfer"], actor=request.user
            )
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The transfer is cancelled. You are still the Owner.")
        return redirect("people:transfer", slug=self.account.slug)

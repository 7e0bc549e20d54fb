"""Admin > Settings > Requests to join (the switch and the shareable link) and the answers
to a request (approve at a level, or deny). Thin: each POST calls one joining service."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from joining import services
from joining.forms import ApproveForm, JoinSwitchForm
from joining.models import JoinRequest
from joining.selectors import join_link_of
from memberships.exceptions import MembershipError
from memberships.mixins import PermissionRequiredMixin


class JoinSettingsView(PermissionRequiredMixin, TemplateView):
    permission = services.ANSWER_PERMISSION
    template_name = "joining/settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        link = join_link_of(self.account)
        context["join_url"] = (
            self.request.build_absolute_uri(reverse("joining:token", args=[link.token]))
            if link and self.account.join_requests_enabled
            else ""
        )
        return context

    def post(self, request, *args, **kwargs):
        form = JoinSwitchForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing changed: choose to turn requests on or off.")
            return redirect("join_requests:settings", slug=self.account.slug)
        enabled = form.cleaned_data["enabled"] == "on"
        try:
            services.set_join_requests(account=self.account, enabled=enabled, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                "People can now ask to join: share the link below."
                if enabled
                else "People can no longer ask to join; pending requests are closed.",
            )
        return redirect("join_requests:settings", slug=self.account.slug)


class RegenerateLinkView(PermissionRequiredMixin, View):
    permission = services.ANSWER_PERMISSION
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.regenerate_join_link(account=self.account, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "A new join link is ready; the old one no longer works.")
        return redirect("join_requests:settings", slug=self.account.slug)


class JoinRequestMixin(PermissionRequiredMixin):
    """Loads a pending request of this account (another account's id, or an answered one,
    sends back to the Users page)."""

    permission = services.ANSWER_PERMISSION

    def get_join_request(self):
        return (
            JoinRequest.objects.pending()
            .select_related("user")
            .filter(account=self.account, pk=self.kwargs["request_id"])
            .first()
        )

    def dispatch_on_request(self, handler, request, *args, **kwargs):
        self.join_request = self.get_join_request()
        if self.join_request is None:
            messages.info(request, "This request to join is no longer waiting for an answer.")
            return redirect("people:users", slug=self.account.slug)
        return handler(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["join_request"] = self.join_request
        return context


class ApproveView(JoinRequestMixin, FormView):
    template_name = "joining/approve.html"

    def get_form(self, form_class=None):
        levels = services.grantable_levels(self.account, self.membership)
        return ApproveForm(**self.get_form_kwargs(), levels=levels)

    def get(self, request, *args, **kwargs):
        return self.dispatch_on_request(super().get, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.dispatch_on_request(super().post, request, *args, **kwargs)

    def form_valid(self, form):
        try:
            membership = services.approve_join_request(
                account=self.account,
                request_id=self.join_request.pk,
                level=form.cleaned_data["level"],
                actor=self.request.user,
            )
        except MembershipError as error:
            form.add_error("level", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{self.join_request.user.display_name} joined {self.account.name} as "
            f"{membership.get_role_display()}.",
        )
        return redirect("people:users", slug=self.account.slug)


class DenyView(JoinRequestMixin, TemplateView):
    template_name = "joining/confirm_deny.html"

    def get(self, request, *args, **kwargs):
        return self.dispatch_on_request(super().get, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.dispatch_on_request(self.deny, request, *args, **kwargs)

    def deny(self, request, *args, **kwargs):
        try:
            services.deny_join_request(
                account=self.account, request_id=self.join_request.pk, actor=request.user
            )
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The request of {self.join_request.user.display_name} is denied."
            )
        return redirect("people:users", slug=self.account.slug)

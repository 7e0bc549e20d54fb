"""Admin > Users and the self-service membership pages. Thin: each POST calls one service."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from accounts.mixins import MembershipRequiredMixin, PermissionRequiredMixin
from accounts.reauth import RecentAuthenticationRequiredMixin
from invitations.selectors import pending_invitations
from memberships import services
from memberships.exceptions import MembershipError
from memberships.forms import BulkRevokeForm, LevelForm, MemberFilterForm, TransferForm
from memberships.models import Membership
from memberships.selectors import members_page, seats_used

PAGE_SIZE = 25


class UsersView(PermissionRequiredMixin, TemplateView):
    permission = "members.view"
    template_name = "memberships/users.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MemberFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        members = members_page(
            self.account,
            q=filters.get("q", ""),
            level=filters.get("level", ""),
            status=filters.get("status", ""),
        )
        page = Paginator(members, PAGE_SIZE).get_page(self.request.GET.get("page"))
        for member in page.object_list:
            member.actionable = services.may_act_on(self.membership, member)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=form,
            page_obj=page,
            members=page.object_list,
            filter_query=query.urlencode(),
            pending_invitations=pending_invitations(self.account),
            seats_used=seats_used(self.account),
            plan=self.account.plan_info,
        )
        return context


class MemberActionMixin(PermissionRequiredMixin):
    """Loads the target member of this account (404 for any other id) and runs one service."""

    success_message = ""

    def get_target(self):
        return get_object_or_404(
            Membership.objects.select_related("user"),
            account=self.account,
            pk=self.kwargs["member_id"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target"] = self.target
        return context

    def get(self, request, *args, **kwargs):
        self.target = self.get_target()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        try:
            self.perform()
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, self.success_message.format(name=self.target.user.display_name)
            )
        return redirect("memberships:users", slug=self.account.slug)

    def perform(self):
        raise NotImplementedError


class SuspendView(MemberActionMixin, TemplateView):
    permission = "members.suspend"
    template_name = "memberships/confirm_suspend.html"
    success_message = "{name} is suspended."

    def perform(self):
        services.suspend_member(
            account=self.account, membership_id=self.target.pk, actor=self.request.user
        )


class ReactivateView(MemberActionMixin, TemplateView):
    permission = "members.suspend"
    template_name = "memberships/confirm_reactivate.html"
    success_message = "{name} is active again."

    def perform(self):
        services.reactivate_member(
            account=self.account, membership_id=self.target.pk, actor=self.request.user
        )


class RevokeView(MemberActionMixin, RecentAuthenticationRequiredMixin, TemplateView):
    permission = "members.revoke"
    template_name = "memberships/confirm_revoke.html"
    success_message = "{name} no longer has access."

    def perform(self):
        services.revoke_member(
            account=self.account, membership_id=self.target.pk, actor=self.request.user
        )


class EditLevelView(MemberActionMixin, FormView):
    permission = "members.set_level"
    template_name = "memberships/edit_level.html"

    def levels(self):
        return services.grantable_levels(account=self.account, actor_membership=self.membership)

    def get_form(self, form_class=None):
        return LevelForm(**self.get_form_kwargs(), levels=self.levels())

    def get_initial(self):
        return {"level": self.target.role}

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            services.change_level(
                account=self.account,
                membership_id=self.target.pk,
                level=form.cleaned_data["level"],
                actor=request.user,
            )
        except MembershipError as error:
            form.add_error("level", error.message)
            return self.form_invalid(form)
        self.target.refresh_from_db()
        messages.success(
            request, f"{self.target.user.display_name} is now {self.target.get_role_display()}."
        )
        return redirect("memberships:users", slug=self.account.slug)


class BulkRevokeView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, FormView):
    """GET ?member=1&member=2 shows who will lose access; POST revokes all or none."""

    permission = "members.revoke"
    template_name = "memberships/confirm_bulk_revoke.html"

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return BulkRevokeForm(data, account=self.account)

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            messages.error(request, "Select at least one member of this account to revoke.")
            return redirect("memberships:users", slug=self.account.slug)
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        ids = [m.pk for m in form.cleaned_data["member"]]
        try:
            count = services.bulk_revoke(
                account=self.account, membership_ids=ids, actor=self.request.user
            )
        except MembershipError as error:
            messages.error(self.request, f"Nobody was revoked. {error.message}")
        else:
            messages.success(self.request, f"{count} people no longer have access.")
        return redirect("memberships:users", slug=self.account.slug)

    def form_invalid(self, form):
        messages.error(self.request, "Nobody was revoked: select members of this account.")
        return redirect("memberships:users", slug=self.account.slug)


class LeaveView(MembershipRequiredMixin, TemplateView):
    """Any member except the Owner leaves; on their last account the login goes too."""

    template_name = "memberships/leave.html"
    allow_without_2fa = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_last_account"] = services.is_last_membership(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        try:
            deleted_login = services.leave_account(account=self.account, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
            return redirect("memberships:leave", slug=self.account.slug)
        if deleted_login:
            logout(request)
            messages.success(request, f"You left {self.account.name} and your login is deleted.")
            return redirect("account_login")
        messages.success(request, f"You left {self.account.name}.")
        return redirect("home")


class TransferView(PermissionRequiredMixin, FormView):
    permission = "ownership.transfer"
    template_name = "memberships/transfer.html"

    def get_form(self, form_class=None):
        return TransferForm(**self.get_form_kwargs(), account=self.account, user=self.request.user)

    def form_valid(self, form):
        target = form.cleaned_data["new_owner"]
        try:
            services.transfer_ownership(
                account=self.account, new_owner_membership_id=target.pk, actor=self.request.user
            )
        except MembershipError as error:
            form.add_error("new_owner", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{target.user.display_name} is now the Owner. You are an Admin."
        )
        return redirect(reverse("overview", kwargs={"slug": self.account.slug}))

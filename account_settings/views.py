from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from account_settings.exceptions import AccountSettingsError
from account_settings.forms import (
    CloseAccountForm,
    NotificationSettingsForm,
    RenameAccountForm,
    ToggleForm,
    TwoFactorMethodsForm,
)
from account_settings.selectors import (
    closing_summary,
    members_without_2fa,
    notification_memberships,
    preference_for,
)
from account_settings.services import (
    close_account,
    export_account,
    rename_account,
    reopen_account,
    reopen_deadline,
    set_admins_can_manage_billing,
    set_require_2fa,
    update_notification_preferences,
)
from accounts.models import TwoFactorMethods
from accounts.reauth import RecentAuthenticationRequiredMixin
from memberships.mixins import PermissionRequiredMixin


class SettingsIndexView(PermissionRequiredMixin, FormView):
    """Admin > Settings: company name, and links/toggles for the rest."""

    permission = "settings.view"
    template_name = "account_settings/index.html"
    form_class = RenameAccountForm

    def get_initial(self):
        return {"name": self.account.name}

    def post(self, request, *args, **kwargs):
        # The page is open to settings.view; renaming needs its own permission.
        if not self.membership.can("account.rename"):
            return self.handle_forbidden("account.rename")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            rename_account(
                account=self.account, actor=self.request.user, name=form.cleaned_data["name"]
            )
        except AccountSettingsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The company name is saved.")
        return redirect("account_settings:index", slug=self.account.slug)


class TwoFactorRequirementView(
    PermissionRequiredMixin, RecentAuthenticationRequiredMixin, TemplateView
):
    """Turn "Require two-factor authentication" on (after seeing who it affects) or off, and
    choose which methods count. `?methods=` previews another choice before saving it."""

    permission = "security.require_2fa"
    template_name = "account_settings/two_factor.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        preview = TwoFactorMethodsForm(self.request.GET or None)
        methods = (
            preview.cleaned_data["methods"]
            if preview.is_bound and preview.is_valid()
            else self.account.two_factor_methods
        )
        if not preview.is_bound or not preview.is_valid():
            preview = TwoFactorMethodsForm(initial={"methods": methods})
        context["methods_form"] = preview
        context["methods"] = methods
        context["methods_label"] = TwoFactorMethods(methods).label
        context["without_2fa"] = list(members_without_2fa(self.account, methods=methods))
        return context

    def needs_reauthentication(self, request) -> bool:
        # Turning the protection off, or letting text messages count again, asks for the
        # password again; turning it on or narrowing it does not.
        if request.method != "POST":
            return False
        return request.POST.get("enabled") == "off" or (
            request.POST.get("methods") == TwoFactorMethods.ANY
            and self.account.two_factor_methods != TwoFactorMethods.ANY
        )

    def post(self, request, *args, **kwargs):
        form = ToggleForm(request.POST)
        methods_form = TwoFactorMethodsForm(request.POST)
        methods = methods_form.cleaned_data["methods"] if methods_form.is_valid() else None
        if not form.is_valid():
            return redirect("account_settings:two_factor", slug=self.account.slug)
        try:
            account = set_require_2fa(
                account=self.account, actor=request.user, required=form.value, methods=methods
            )
        except AccountSettingsError as error:
            messages.error(request, str(error))
            return redirect("account_settings:two_factor", slug=self.account.slug)
        if form.value:
            messages.success(
                request,
                "Two-factor authentication is now required "
                f"({TwoFactorMethods(account.two_factor_methods).label.lower()}).",
            )
        else:
            messages.success(request, "Two-factor authentication is no longer required.")
        return redirect("account_settings:index", slug=self.account.slug)


class BillingAccessView(PermissionRequiredMixin, View):
    """POST only: turn "Admins can manage billing" on or off."""

    permission = "billing.allow_admins"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ToggleForm(request.POST)
        if form.is_valid():
            try:
                set_admins_can_manage_billing(
                    account=self.account, actor=request.user, allowed=form.value
                )
            except AccountSettingsError as error:
                messages.error(request, str(error))
            else:
                state = "can" if form.value else "can no longer"
                messages.success(request, f"Admins {state} manage billing.")
        return redirect("account_settings:index", slug=self.account.slug)


class ExportView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, TemplateView):
    """GET explains the export; POST streams the ZIP (POST, because it is logged).

    The file holds every member's email: a stale session re-enters the password first.
    """

    permission = "account.export"
    template_name = "account_settings/export.html"

    def post(self, request, *args, **kwargs):
        try:
            chunks = export_account(account=self.account, actor=request.user)
        except AccountSettingsError as error:
            messages.error(request, str(error))
            return redirect("account_settings:export", slug=self.account.slug)
        filename = f"{self.account.slug}-export-{timezone.now():%Y-%m-%d}.zip"
        response = StreamingHttpResponse(chunks, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class CloseAccountView(PermissionRequiredMixin, FormView):
    permission = "account.close"
    template_name = "account_settings/close.html"
    form_class = CloseAccountForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "account": self.account, "user": self.request.user}

    def get_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        context["summary"] = closing_summary(self.account)
        context["retention_days"] = settings.CLOSED_ACCOUNT_RETENTION.days
        return context

    def form_valid(self, form):
        try:
            close_account(account=self.account, actor=self.request.user)
        except AccountSettingsError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"{self.account.name} is closed. Every member was emailed.")
        return redirect("account_chooser")


class ReopenAccountView(PermissionRequiredMixin, TemplateView):
    permission = "account.reopen"
    allow_closed_account = True
    template_name = "account_settings/reopen.html"

    def get(self, request, *args, **kwargs):
        if not self.account.is_closed:
            messages.info(request, f"{self.account.name} is open.")
            return redirect("overview", slug=self.account.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deadline = reopen_deadline(self.account)
        context.update(deadline=deadline, can_reopen=timezone.now() < deadline)
        return context

    def post(self, request, *args, **kwargs):
        try:
            reopen_account(account=self.account, actor=request.user)
        except AccountSettingsError as error:
            messages.error(request, str(error))
            return redirect("account_chooser")
        messages.success(request, f"{self.account.name} is open again.")
        return redirect("overview", slug=self.account.slug)


class NotificationSettingsView(LoginRequiredMixin, FormView):
    """/settings/notifications/: which member events each account emails me about."""

    template_name = "account_settings/notifications.html"
    form_class = NotificationSettingsForm

    def get_rows(self):
        if not hasattr(self, "_rows"):
            self._rows = [
                (m, preference_for(m)) for m in notification_memberships(self.request.user)
            ]
        return self._rows

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "rows": self.get_rows()}

    def form_valid(self, form):
        for membership, _preference in self.get_rows():
            update_notification_preferences(
                membership=membership, actor=self.request.user, **form.values_for(membership)
            )
        messages.success(self.request, "Your notification settings are saved.")
        return redirect("notification_settings")

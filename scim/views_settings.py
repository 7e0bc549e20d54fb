"""Admin > Settings > Provisioning: SCIM on or off, the level for provisioned people, the
base URL, and the tokens (created behind re-authentication, shown once through
post/redirect/get like API keys; revoked with a confirmation)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.reauth import RecentAuthenticationRequiredMixin
from accounts.roles import Role
from memberships.exceptions import MembershipError
from memberships.mixins import PermissionRequiredMixin
from scim import services
from scim.forms import ProvisioningForm, TokenForm
from scim.models import ScimToken


class ProvisioningMixin(PermissionRequiredMixin):
    permission = services.MANAGE_PERMISSION

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan_allows"] = services.plan_allows_provisioning(self.account)
        return context

    def refuse_on_plan(self):
        messages.error(
            self.request,
            f"The {self.account.plan_info.name} plan does not include SCIM provisioning.",
        )
        return redirect("provisioning:index", slug=self.account.slug)


class ProvisioningView(ProvisioningMixin, FormView):
    template_name = "scim/provisioning.html"
    form_class = ProvisioningForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["levels"] = [
            level for level in self.account.plan_info.roles_highest_first if level != Role.OWNER
        ]
        return kwargs

    def get_initial(self):
        provisioning = services.provisioning_of(self.account)
        return {"enabled": provisioning.enabled, "default_level": provisioning.default_level}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["provisioning"] = services.provisioning_of(self.account)
        context["base_url"] = self.request.build_absolute_uri("/scim/v2/")
        context["tokens"] = ScimToken.objects.filter(account=self.account).select_related(
            "created_by"
        )
        return context

    def form_valid(self, form):
        if not services.plan_allows_provisioning(self.account):
            return self.refuse_on_plan()
        try:
            services.update_provisioning(
                account=self.account,
                enabled=form.cleaned_data["enabled"],
                default_level=form.cleaned_data["default_level"],
                actor=self.request.user,
            )
        except MembershipError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, "The provisioning settings are saved.")
        return redirect("provisioning:index", slug=self.account.slug)


def _session_key(token_id) -> str:
    return f"scim.token.{token_id}"


@method_decorator(never_cache, name="dispatch")
class TokenCreateView(ProvisioningMixin, RecentAuthenticationRequiredMixin, FormView):
    """Creating hands out a secret: recent re-authentication first."""

    template_name = "scim/token_create.html"
    form_class = TokenForm

    def form_valid(self, form):
        try:
            token, raw = services.create_token(
                account=self.account, name=form.cleaned_data["name"], actor=self.request.user
            )
        except MembershipError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        # Post/redirect/get: the secret waits in the session for one showing.
        self.request.session[_session_key(token.pk)] = raw
        return redirect("provisioning:token_secret", slug=self.account.slug, token_id=token.pk)


class TokenMixin:
    def get_token(self) -> ScimToken:
        return get_object_or_404(
            ScimToken.objects.filter(account=self.account), pk=self.kwargs["token_id"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = self.get_token()
        return context


@method_decorator(never_cache, name="dispatch")
class TokenSecretView(ProvisioningMixin, TokenMixin, TemplateView):
    """The one page that shows a full token, once: the session gives it up as it is shown."""

    template_name = "scim/token_secret.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["raw_token"] = self.request.session.pop(_session_key(context["token"].pk), None)
        context["base_url"] = self.request.build_absolute_uri("/scim/v2/")
        return context


class TokenRevokeView(ProvisioningMixin, TokenMixin, TemplateView):
    template_name = "scim/token_revoke.html"

    def post(self, request, *args, **kwargs):
        token = self.get_token()
        try:
            services.revoke_token(account=self.account, token_id=token.pk, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The SCIM token “{token.name}” is revoked. It no longer works."
            )
        return redirect("provisioning:index", slug=self.account.slug)

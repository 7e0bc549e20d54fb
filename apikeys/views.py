"""Admin > API keys: list, create, regenerate (Owner), delete.

Post/redirect/get: creating or regenerating a key stores its secret in the session and
redirects to the key's secret page, which takes it out of the session as it shows it (with
Cache-Control: no-store). A refresh or a second visit shows no secret and creates nothing;
the secret is never in a URL or a message.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.reauth import RecentAuthenticationRequiredMixin
from apikeys import services
from apikeys.exceptions import ApiKeyError
from apikeys.forms import ApiKeyForm
from apikeys.selectors import account_keys
from memberships.mixins import PermissionRequiredMixin


class ApiKeyListView(PermissionRequiredMixin, TemplateView):
    template_name = "apikeys/list.html"
    permission = "apikeys.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        keys = list(account_keys(self.account))
        for key in keys:
            key.deletable = services.may_delete(key=key, membership=self.membership)
        context["keys"] = keys
        return context


@method_decorator(never_cache, name="dispatch")
class ApiKeyCreateView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, FormView):
    """Creating hands out a secret: recent re-authentication first."""

    template_name = "apikeys/create.html"
    permission = "apikeys.create"
    form_class = ApiKeyForm

    def form_valid(self, form):
        try:
            key, raw_key = services.create_key(
                account=self.account,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at,
                actor=self.request.user,
            )
        except ApiKeyError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        return hand_over_secret(self.request, self.account, key, raw_key, created=True)


class KeyMixin:
    """A confirmation page (GET) and the action (POST) on one key of this account."""

    def get_key(self):
        return get_object_or_404(account_keys(self.account), pk=self.kwargs["key_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["key"] = self.get_key()
        return context


@method_decorator(never_cache, name="dispatch")
class ApiKeyRegenerateView(
    PermissionRequiredMixin, RecentAuthenticationRequiredMixin, KeyMixin, TemplateView
):
    template_name = "apikeys/regenerate.html"
    permission = "apikeys.regenerate"

    def post(self, request, *args, **kwargs):
        try:
            key, raw_key = services.regenerate_key(key=self.get_key(), actor=request.user)
        except ApiKeyError as error:
            messages.error(request, error.message)
            return redirect("apikeys:list", slug=self.account.slug)
        return hand_over_secret(request, self.account, key, raw_key, created=False)


class ApiKeyDeleteView(PermissionRequiredMixin, KeyMixin, TemplateView):
    template_name = "apikeys/delete.html"
    permission = "apikeys.view"

    def get(self, request, *args, **kwargs):
        if not services.may_delete(key=self.get_key(), membership=self.membership):
            return self.handle_forbidden("apikeys.delete_any")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        key = self.get_key()
        try:
            services.delete_key(key=key, actor=request.user)
        except ApiKeyError as error:
            messages.error(request, error.message)
            return redirect("apikeys:list", slug=self.account.slug)
        messages.success(request, f"The API key “{key.name}” is deleted. It no longer works.")
        return redirect("apikeys:list", slug=self.account.slug)


def _session_key(key_id) -> str:
    return f"apikeys.secret.{key_id}"


def hand_over_secret(request, account, key, raw_key, *, created):
    """Keep the new secret for one showing and redirect to it (post/redirect/get)."""
    request.session[_session_key(key.pk)] = {"raw_key": raw_key, "created": created}
    return redirect("apikeys:secret", slug=account.slug, key_id=key.pk)


@method_decorator(never_cache, name="dispatch")
class ApiKeySecretView(PermissionRequiredMixin, KeyMixin, TemplateView):
    """The one page that shows a full key, once: the session gives it up as it is shown."""

    template_name = "apikeys/secret.html"
    permission = "apikeys.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        handed = self.request.session.pop(_session_key(context["key"].pk), None)
        context["raw_key"] = handed["raw_key"] if handed else None
        context["created"] = bool(handed and handed["created"])
        return context

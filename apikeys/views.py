"""Admin > API keys: list, create, regenerate (Owner), delete.

A new or regenerated key is rendered straight from the POST with Cache-Control: no-store;
it is never put in the session, a URL or a message, so it cannot be shown twice.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
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
        return show_secret(self.request, self.account, key, raw_key, created=True)


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
        return show_secret(request, self.account, key, raw_key, created=False)


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


def show_secret(request, account, key, raw_key, *, created):
    """The one page that shows the full key; its views are never_cache (no-store)."""
    return TemplateResponse(
        request,
        "apikeys/secret.html",
        {"account": account, "key": key, "raw_key": raw_key, "created": created},
    )

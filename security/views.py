from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.views.generic import TemplateView

from accounts.mixins import PermissionRequiredMixin
from accounts.reauth import RecentAuthenticationRequiredMixin
from memberships.models import Membership
from security import services
from security.exceptions import SecurityError


class ResetTwoFactorView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, TemplateView):
    """Confirmation page (GET) and the reset (POST) of one member's 2FA."""

    template_name = "security/reset_2fa.html"
    permission = "members.reset_2fa"

    def get_member(self):
        return get_object_or_404(
            Membership.objects.select_related("user"),
            account=self.account,
            pk=self.kwargs["member_id"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = self.get_member()
        context["member"] = member
        context["authenticators"] = Authenticator.objects.filter(user=member.user).exclude(
            type=Authenticator.Type.RECOVERY_CODES
        )
        context["back_url"] = self.users_url()
        return context

    def users_url(self) -> str:
        try:
            return reverse("memberships:users", kwargs={"slug": self.account.slug})
        except NoReverseMatch:
            return reverse("overview", kwargs={"slug": self.account.slug})

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        try:
            removed = services.reset_two_factor(
                account=self.account, membership_id=member.pk, actor=request.user
            )
        except SecurityError as error:
            messages.error(request, error.message)
            return redirect(self.users_url())
        if removed:
            messages.success(
                request,
                f"Two-factor authentication of {member.user.display_name} is reset. They are "
                "signed out and set it up again at their next sign-in.",
            )
        else:
            messages.info(request, f"{member.user.display_name} had no two-factor set up.")
        return redirect(self.users_url())


class GuardedRemoveWebAuthnView(RemoveWebAuthnView):
    """allauth's security-key removal, plus the check allauth applies only to the app
    (TOTP) removal: the last authenticator stays while an account requires 2FA.
    Wired in config/urls.py ahead of allauth's own URL of the same name."""

    def form_valid(self, form):
        adapter = get_mfa_adapter()
        if not adapter.can_delete_authenticator(self.get_object()):
            messages.error(self.request, adapter.error_messages["cannot_delete_authenticator"])
            return HttpResponseRedirect(reverse("mfa_list_webauthn"))
        return super().form_valid(form)

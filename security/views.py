from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from accounts.reauth import RecentAuthenticationRequiredMixin
from memberships.mixins import MemberActionMixin
from security import services
from sms.selectors import has_sms_two_factor


class ResetTwoFactorView(MemberActionMixin, RecentAuthenticationRequiredMixin, TemplateView):
    """Confirmation page (GET) and the reset (POST) of one member's 2FA."""

    template_name = "security/reset_2fa.html"
    permission = "members.reset_2fa"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.target
        context["authenticators"] = Authenticator.objects.filter(user=self.target.user).exclude(
            type=Authenticator.Type.RECOVERY_CODES
        )
        context["sms_on"] = has_sms_two_factor(self.target.user)
        context["back_url"] = reverse("people:users", kwargs={"slug": self.account.slug})
        return context

    def perform(self):
        removed = services.reset_two_factor(
            account=self.account, membership_id=self.target.pk, actor=self.request.user
        )
        name = self.target.user.display_name
        if not removed:
            return f"{name} had no two-factor set up."
        return (
            f"Two-factor authentication of {name} is reset. They are signed out and set it up "
            "again at their next sign-in."
        )


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

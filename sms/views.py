"""Pages of text-message 2FA: the login step, re-authentication, verifying the number, and
turning SMS 2FA on or off (with the person's security history)."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.stages import LoginStageController
from allauth.account.views import BaseReauthenticateView
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.models import User
from accounts.reauth import RecentAuthenticationRequiredMixin, recently_authenticated
from sms import services
from sms.exceptions import SmsError
from sms.forms import CodeForm
from sms.models import Delivery, Purpose
from sms.selectors import phone_of, security_history, sms_offered
from sms.session import sms_record_data
from sms.stages import KEY as STAGE_KEY
from sms.stages import MFA_KEY

REAUTH_SESSION_KEY = "sms_reauth_attempt"


class CodeEntryMixin:
    """A page that sends a code for (purpose, binding) and checks the one typed."""

    purpose: str

    def code_user(self):
        raise NotImplementedError

    def binding(self) -> str:
        raise NotImplementedError

    def challenge(self):
        return services.latest_challenge(self.code_user(), self.purpose, self.binding())

    def send(self) -> bool:
        """Queue a code; False (and a message) when a limit says wait or it was not sent."""
        try:
            services.send_code(user=self.code_user(), purpose=self.purpose, bound_to=self.binding())
        except SmsError as error:
            messages.error(self.request, error.message)
            return False
        challenge = self.challenge()
        # A provider failure is shown by the page itself (`not_sent`), resend or reload.
        return challenge is None or challenge.delivery != Delivery.FAILED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        challenge = self.challenge()
        context["challenge"] = challenge
        context["not_sent"] = challenge is not None and challenge.delivery == Delivery.FAILED
        context["code_validity"] = services.code_validity()
        return context

    def check(self, form):
        """The form's code checked; True when right, else the reason next to the field."""
        result = services.check_code(
            user=self.code_user(),
            purpose=self.purpose,
            bound_to=self.binding(),
            code=form.cleaned_data["code"],
        )
        if result != services.Check.OK:
            form.add_error("code", services.CHECK_MESSAGES[result])
            return False
        return True


@method_decorator(never_cache, name="dispatch")
class AuthenticateView(CodeEntryMixin, FormView):
    """The login step after the password, for a person with SMS 2FA."""

    template_name = "sms/authenticate.html"
    form_class = CodeForm
    purpose = Purpose.LOGIN

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        self.stage = LoginStageController.enter(request, STAGE_KEY)
        if self.stage is None or "attempt" not in self.stage.state:
            return redirect("account_login")
        return super().dispatch(request, *args, **kwargs)

    def code_user(self):
        return self.stage.login.user

    def binding(self) -> str:
        return services.binding("login", self.stage.state["attempt"])

    def get(self, request, *args, **kwargs):
        if self.challenge() is None:  # the first visit of this attempt sends the code
            self.send()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "resend" in request.POST:
            if self.send():
                messages.success(request, "We sent a new code.")
            return redirect("sms_authenticate")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not self.check(form):
            return self.form_invalid(form)
        # What allauth's own MFA forms record (see allauth.mfa.internal.flows.add): the
        # session's authentication log, read by re-authentication and accounts.reauth.
        record_authentication(
            self.request,
            self.code_user(),
            method="mfa",
            type="sms",
            **sms_record_data(self.code_user()),
        )
        return self.stage.exit()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = phone_of(self.code_user())
        context["has_app"] = (
            self.stage.controller.state.get(MFA_KEY, {})
            .get("data", {})
            .get("authentication_required", False)
        )
        return context


@method_decorator(never_cache, name="dispatch")
class UseTextMessageView(View):
    """From allauth's MFA page: skip the app or key and get a code by text message."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        stage = LoginStageController.enter(request, MFA_KEY)
        if stage is None:
            return redirect("account_login")
        if not sms_offered(stage.login.user):
            return redirect("mfa_authenticate")
        stage.controller.state.setdefault(STAGE_KEY, {}).setdefault("data", {})["chosen"] = True
        return stage.exit()


class ReauthenticateView(LoginRequiredMixin, CodeEntryMixin, BaseReauthenticateView):
    """Re-authentication for sensitive actions with a code by text message."""

    template_name = "sms/reauthenticate.html"
    form_class = CodeForm
    purpose = Purpose.REAUTH

    def code_user(self):
        return self.request.user

    def binding(self) -> str:
        attempt = self.request.session.get(REAUTH_SESSION_KEY)
        if not attempt:
            attempt = self.request.session[REAUTH_SESSION_KEY] = services.new_attempt_id()
        return services.binding("reauth", self.request.session.session_key, attempt)

    def dispatch(self, request, *args, **kwargs):
        # Not offered (no SMS 2FA, or the person has an app and every account of theirs
        # requiring 2FA accepts an app or a key only): the other ways to confirm.
        if request.user.is_authenticated and not sms_offered(request.user):
            query = request.META.get("QUERY_STRING", "")
            return redirect(reverse("account_reauthenticate") + (f"?{query}" if query else ""))
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        # The code goes on a POST (the "Text me a code" button), never on a GET: a link
        # preview or a prefetch must not spend the person's sends.
        if "resend" in request.POST:
            if self.send():
                messages.success(request, "We sent you a code.")
            return redirect(request.get_full_path())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if not self.check(form):
            return self.form_invalid(form)
        self.request.session.pop(REAUTH_SESSION_KEY, None)
        record_authentication(
            self.request,
            self.request.user,
            method="mfa",
            type="sms",
            reauthenticated=True,
            **sms_record_data(self.request.user),
        )
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = phone_of(self.request.user)
        return context


class VerifyNumberView(LoginRequiredMixin, CodeEntryMixin, FormView):
    """Enter the code sent to a new mobile number (personal settings)."""

    template_name = "sms/verify_number.html"
    form_class = CodeForm
    purpose = Purpose.VERIFY

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.phone = phone_of(request.user)
            if self.phone is None or self.phone.is_verified:
                return redirect("sms_two_factor")
        return super().dispatch(request, *args, **kwargs)

    def code_user(self):
        return self.request.user

    def binding(self) -> str:
        return services.verification_binding(self.phone)

    def post(self, request, *args, **kwargs):
        if "resend" in request.POST:
            if self.send():
                messages.success(request, "We sent a new code.")
            return redirect("sms_verify_number")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        result = services.verify_number(user=self.request.user, code=form.cleaned_data["code"])
        if result != services.Check.OK:
            form.add_error("code", services.CHECK_MESSAGES[result])
            return self.form_invalid(form)
        messages.success(self.request, "Your mobile number is verified.")
        return redirect("sms_two_factor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = self.phone
        return context


class TwoFactorView(LoginRequiredMixin, RecentAuthenticationRequiredMixin, TemplateView):
    """Personal settings > Two-factor authentication > Text message: on or off, and the
    person's security history. Both changes ask for recent re-authentication."""

    template_name = "sms/two_factor.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = phone_of(self.request.user)
        context["history"] = security_history(self.request.user)
        return context

    def needs_reauthentication(self, request) -> bool:
        # Sending a verification code to one's own saved number needs no password.
        return request.method == "POST" and "enabled" in request.POST

    def post(self, request, *args, **kwargs):
        if "verify" in request.POST and request.user.mobile:
            phone = services.change_number(user=request.user, number=request.user.mobile)
            if phone is not None and not phone.is_verified:
                return redirect(_send_verification(request, phone))
            return redirect("sms_two_factor")
        try:
            if request.POST.get("enabled") == "on":
                services.enable_two_factor(user=request.user)
                messages.success(request, "Text-message two-factor authentication is on.")
            elif request.POST.get("enabled") == "off":
                services.disable_two_factor(user=request.user)
                messages.success(request, "Text-message two-factor authentication is off.")
        except SmsError as error:
            messages.error(request, error.message)
        return redirect("sms_two_factor")


def save_mobile_number(request, *, number: str) -> str | None:
    """The profile page's mobile number: save a change and send the new number a code.

    Returns where to go next (the code entry page) when a new number awaits its code, else
    None. Changing or removing a number in use for SMS 2FA asks for re-authentication first
    (allauth replays the form afterwards); a refusal raises SmsError for the field.
    """
    phone = phone_of(request.user)
    # The saved number (the bound ModelForm has already put the typed one on request.user).
    saved = User.objects.filter(pk=request.user.pk).values_list("mobile", flat=True).first()
    current = phone.number if phone else saved
    if number == current:
        return None
    if phone is not None and phone.two_factor_active and not recently_authenticated(request):
        raise ReauthenticationRequired()
    phone = services.change_number(user=request.user, number=number)
    request.user.mobile = number
    if phone is None:
        messages.info(request, "Your mobile number is removed.")
        return None
    return _send_verification(request, phone)


def _send_verification(request, phone) -> str:
    try:
        services.send_code(
            user=request.user,
            purpose=Purpose.VERIFY,
            bound_to=services.verification_binding(phone),
        )
    except SmsError as error:
        messages.error(request, error.message)
    return reverse("sms_verify_number")

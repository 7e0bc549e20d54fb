from allauth.account.views import LoginView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.generic import FormView, TemplateView

from accounts.forms import ProfileForm
from accounts.models import Account
from accounts.services import update_profile
from invitations.selectors import seats_used
from memberships import access
from memberships.forms import NewAccountForm
from memberships.mixins import CURRENT_ACCOUNT_SESSION_KEY, MembershipRequiredMixin
from memberships.selectors import (
    closed_accounts_owned_by,
    open_memberships,
    suspended_memberships,
)
from memberships.services import create_account
from sms.exceptions import SmsError
from sms.views import save_mobile_number


def home(request):
    """Where a login lands: the only account's Overview, or the chooser."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = list(open_memberships(request.user)[:2])
    if len(memberships) == 1:
        return redirect("overview", slug=memberships[0].account.slug)
    return redirect("account_chooser")


@login_required
def account_chooser(request):
    context = {
        "memberships": open_memberships(request.user),
        "closed_memberships": closed_accounts_owned_by(request.user),
        "suspended_memberships": suspended_memberships(request.user),
    }
    return render(request, "accounts/chooser.html", context)


class OverviewView(MembershipRequiredMixin, TemplateView):
    template_name = "accounts/overview.html"

    def get(self, request, *args, **kwargs):
        # Assign only on a change: every assignment marks the session modified, and saving
        # it costs a write transaction on each view of the Overview.
        if request.session.get(CURRENT_ACCOUNT_SESSION_KEY) != self.account.pk:
            request.session[CURRENT_ACCOUNT_SESSION_KEY] = self.account.pk
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(plan=self.account.plan_info, seats_used=seats_used(self.account))
        return context


class TwoFactorRequiredView(MembershipRequiredMixin, TemplateView):
    """Shown instead of every page of an account that requires 2FA, until the member has it."""

    template_name = "accounts/two_factor_required.html"
    allow_without_2fa = True


class AccountLoginView(LoginView):
    """/a/<slug>/login/: only people the access gate lets into this account sign in here.

    A wrong email or password gets the generic failure; the right password of someone the
    gate refuses is told why (not a member, or suspended), so nobody resets a password that
    works. 2FA demands are met after signing in, as everywhere.
    """

    template_name = "accounts/account_login.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(Account.objects.open(), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = getattr(form, "user", None)
        decision = access.decide(user, self.account, tolerate=access.TWO_FACTOR)
        if not decision.granted:
            main_login = reverse("account_login")
            form.add_error(
                None,
                format_html(
                    "{} Your email and password are right: "
                    '<a href="{}">sign in on the main page</a> to reach your accounts.',
                    access.refusal_message(
                        decision.refusal, self.account, membership=decision.membership
                    ),
                    main_login,
                ),
            )
            return self.form_invalid(form)
        return super().form_valid(form)

    def get_success_url(self):
        return reverse("overview", kwargs={"slug": self.account.slug})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_account"] = self.account
        return context


class ProfileView(LoginRequiredMixin, FormView):
    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.request.user
        return kwargs

    def current_membership(self):
        account_id = self.request.session.get(CURRENT_ACCOUNT_SESSION_KEY)
        memberships = open_memberships(self.request.user)
        return memberships.filter(account_id=account_id).first() or memberships.first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile_membership"] = self.current_membership()
        context["memberships"] = open_memberships(self.request.user)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:  # a new number gets a code first; one in use for 2FA asks to re-authenticate
            verify_url = save_mobile_number(self.request, number=data["mobile"])
        except SmsError as error:
            form.add_error("mobile", error.message)
            return self.form_invalid(form)
        update_profile(
            user=self.request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            mobile=data["mobile"],
            time_zone=data["time_zone"],
        )
        messages.success(self.request, "Your personal settings are saved.")
        return redirect(verify_url or "profile")


class CreateAccountView(LoginRequiredMixin, FormView):
    """/accounts/new/: any signed-in person creates an account and becomes its Owner."""

    template_name = "accounts/create.html"
    form_class = NewAccountForm

    def form_valid(self, form):
        account = create_account(owner=self.request.user, name=form.cleaned_data["name"])
        messages.success(self.request, f"{account.name} is created. You are its Owner.")
        return redirect("overview", slug=account.slug)

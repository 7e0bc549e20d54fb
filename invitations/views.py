"""Invitation pages: the invite form and managing pending invitations (account pages), and
the public accept link (/invitations/<token>/ -> /invitations/accept/)."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from accounts.models import User
from invitations import services, throttle
from invitations.csv_file import CsvRow
from invitations.exceptions import (
    AccessUntilNotAllowed,
    InvalidAddresses,
    InvitationClosed,
    InvitationError,
    LevelNotAllowed,
    WrongUser,
)
from invitations.forms import AcceptSignupForm, CsvInviteForm, InvitationActionForm, InviteForm
from invitations.models import Invitation
from invitations.selectors import invitation_for_token_hash
from invitations.tokens import hash_token
from memberships.mixins import CURRENT_ACCOUNT_SESSION_KEY, PermissionRequiredMixin

# The session holds the link's digest, never the token itself (sessions live in the database).
SESSION_KEY = "invitation_token_hash"


def users_url(account) -> str:
    return reverse("people:users", kwargs={"slug": account.slug})


# --- Account pages ----------------------------------------------------------------------------


class InviteView(PermissionRequiredMixin, FormView):
    permission = "members.invite"
    template_name = "invitations/invite.html"
    form_class = InviteForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(inviter=self.request.user, current_account=self.account)
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("csv_form", CsvInviteForm())
        context = super().get_context_data(**kwargs)
        context["expiry_days"] = settings.INVITATION_EXPIRY.days
        context["csv_max_rows"] = settings.CSV_INVITE_MAX_ROWS
        context["cap"] = settings.INVITATIONS_PER_ACCOUNT_PER_DAY
        return context

    def form_valid(self, form):
        try:
            created = services.invite_users(
                accounts=form.cleaned_data["accounts"],
                emails=form.cleaned_data["emails"],
                level=form.cleaned_data["level"],
                message=form.cleaned_data["message"],
                access_until=form.cleaned_data["access_until"],
                actor=self.request.user,
            )
        except AccessUntilNotAllowed as refusal:
            form.add_error("access_until", str(refusal))
            return self.form_invalid(form)
        except InvalidAddresses as refusal:
            for email, reasons in refusal.errors.items():
                form.add_error("emails", f"{email}: {' '.join(reasons)}" if email else reasons[0])
            return self.form_invalid(form)
        except LevelNotAllowed as refusal:
            form.add_error("level", str(refusal))
            return self.form_invalid(form)
        except InvitationError as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)
        people = len(form.cleaned_data["emails"])
        names = ", ".join(a.name for a in form.cleaned_data["accounts"])
        messages.success(
            self.request,
            f"{len(created)} invitation{'s' if len(created) != 1 else ''} queued "
            f"for {people} {'person' if people == 1 else 'people'} to {names}.",
        )
        return redirect(users_url(self.account))


# The rows of an uploaded CSV between its preview and the confirmation (JSON in the session,
# which lives in the database): the confirmation sends what the preview showed, or nothing.
CSV_SESSION_KEY = "invitations_csv_preview"


class CsvPreviewView(InviteView):
    """POST a CSV file: every row checked and shown in a table; nothing is sent yet."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect("invitations:invite", slug=self.account.slug)

    def post(self, request, *args, **kwargs):
        csv_form = CsvInviteForm(request.POST, request.FILES)
        if not csv_form.is_valid():
            return self.invite_page(csv_form)
        try:
            results = services.preview_csv_invites(
                account=self.account, rows=csv_form.rows, actor=request.user
            )
        except InvitationError as refusal:
            csv_form.add_error("csv_file", str(refusal))
            return self.invite_page(csv_form)
        return self.preview(results, file_name=csv_form.cleaned_data["csv_file"].name)

    def invite_page(self, csv_form):
        """The invite page again, its CSV field showing what is wrong with the file."""
        form = InviteForm(inviter=self.request.user, current_account=self.account)
        return self.render_to_response(self.get_context_data(form=form, csv_form=csv_form))

    def preview(self, results, *, file_name, changed=False):
        token = secrets.token_urlsafe(16)
        self.request.session[CSV_SESSION_KEY] = {
            "account": self.account.pk,
            "token": token,
            "file_name": file_name[:200],
            "rows": [result.row.as_dict() for result in results],
            "expected": [result.row.line for result in results if result.will_invite],
        }
        sending = sum(result.will_invite for result in results)
        context = {
            "account": self.account,
            "membership": self.membership,
            "results": results,
            "sending": sending,
            "not_sending": len(results) - sending,
            "token": token,
            "file_name": file_name,
            "changed": changed,
        }
        return TemplateResponse(self.request, "invitations/csv_preview.html", context)


class CsvConfirmView(CsvPreviewView):
    """POST the preview's token: send the rows it showed as "will invite", or nothing."""

    def post(self, request, *args, **kwargs):
        stored = request.session.get(CSV_SESSION_KEY) or {}
        token = request.POST.get("token", "")
        if stored.get("account") != self.account.pk or not secrets.compare_digest(
            str(stored.get("token", "")).encode(), token.encode()
        ):
            messages.error(request, "That review is no longer open: upload the file again.")
            return redirect("invitations:invite", slug=self.account.slug)
        rows = [CsvRow.from_dict(row) for row in stored["rows"]]
        try:
            created = services.invite_csv_rows(
                account=self.account,
                rows=rows,
                expected_lines=stored["expected"],
                actor=request.user,
            )
        except services.CsvPreviewChanged as changed:  # the new review says so at its top
            return self.preview(changed.results, file_name=stored["file_name"], changed=True)
        except InvitationError as refusal:
            messages.error(request, str(refusal))
            return redirect("invitations:invite", slug=self.account.slug)
        request.session.pop(CSV_SESSION_KEY, None)
        messages.success(
            request,
            f"{len(created)} invitation{'s' if len(created) != 1 else ''} queued from "
            f"{stored['file_name']}.",
        )
        return redirect(users_url(self.account))


class InvitationActionMixin(PermissionRequiredMixin):
    permission = "members.invite"

    def get_invitation(self):
        return (
            Invitation.objects.filter(account=self.account, pk=self.kwargs["invitation_id"])
            .select_related("invited_by")
            .first()
        )


class ResendView(InvitationActionMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            invitation = services.resend_invitation(
                account=self.account, invitation_id=kwargs["invitation_id"], actor=request.user
            )
        except InvitationError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                f"A new invitation link is on its way to {invitation.email}; the old one no "
                "longer works.",
            )
        return redirect(users_url(self.account))


class CancelView(InvitationActionMixin, TemplateView):
    template_name = "invitations/confirm_cancel.html"

    def get(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        if invitation is None or not (invitation.is_open or invitation.is_expired):
            messages.info(request, "This invitation is no longer pending.")
            return redirect(users_url(self.account))
        return self.render_to_response(self.get_context_data(invitation=invitation))

    def post(self, request, *args, **kwargs):
        try:
            invitation = services.cancel_invitation(
                account=self.account, invitation_id=kwargs["invitation_id"], actor=request.user
            )
        except InvitationError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                f"The invitation to {invitation.email} is cancelled; its link no longer works.",
            )
        return redirect(users_url(self.account))


# --- The accept link --------------------------------------------------------------------------


def _too_many(request):
    return TemplateResponse(request, "invitations/too_many_attempts.html", status=429)


def _invalid(request):
    return TemplateResponse(request, "invitations/invalid.html", status=404)


@method_decorator(never_cache, name="dispatch")
class TokenView(View):
    """GET /invitations/<token>/: remember the link in the session and drop the token from
    the address bar (so it cannot leak through Referer or history). Changes nothing else."""

    http_method_names = ["get", "head"]

    def get(self, request, token):
        if throttle.is_blocked():
            return _too_many(request)
        digest = hash_token(token)
        if invitation_for_token_hash(digest) is None:
            throttle.record_bad_token()
            return _invalid(request)
        request.session[SESSION_KEY] = digest
        return redirect("invitations:accept")


@method_decorator(never_cache, name="dispatch")
class AcceptView(View):
    """The invitation: who invites, to which account, at which level; Accept and Decline.

    A GET never changes anything; every action is a POST with CSRF.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.token_hash = request.session.get(SESSION_KEY, "")
        self.invitation = invitation_for_token_hash(self.token_hash)

    def dispatch(self, request, *args, **kwargs):
        if self.invitation is None:
            return _invalid(request)
        if not self.invitation.is_open:
            return TemplateResponse(
                request, "invitations/closed.html", {"invitation": self.invitation}, status=410
            )
        return super().dispatch(request, *args, **kwargs)

    # The state of the visitor decides what the page offers.
    def signed_in_as_invitee(self) -> bool:
        user = self.request.user
        return user.is_authenticated and user.email == self.invitation.email

    def render(self, signup_form=None, refusal=""):
        user = self.request.user
        has_login = (
            not user.is_authenticated and User.objects.filter(email=self.invitation.email).exists()
        )
        if signup_form is None and not user.is_authenticated and not has_login:
            signup_form = AcceptSignupForm(
                email=self.invitation.email,
                initial={  # names from a CSV invite, if it had them
                    "first_name": self.invitation.first_name,
                    "last_name": self.invitation.last_name,
                },
            )
        context = {
            "invitation": self.invitation,
            "signed_in_as_invitee": self.signed_in_as_invitee(),
            "signed_in_as_other": user.is_authenticated and not self.signed_in_as_invitee(),
            "has_login": has_login,
            "signup_form": signup_form,
            "login_url": f"{reverse('account_login')}?next={reverse('invitations:accept')}",
            "action_form": InvitationActionForm.refused(self.request.POST, refusal)
            if refusal
            else None,
        }
        status = 400 if refusal or (signup_form is not None and signup_form.errors) else 200
        return TemplateResponse(self.request, "invitations/accept.html", context, status=status)

    def get(self, request):
        return self.render()

    def post(self, request):
        action = request.POST.get("action")
        handler = {
            "accept": self.accept,
            "signup": self.signup,
            "decline": self.decline,
            "signout": self.signout,
        }.get(action)
        if handler is None:
            return self.render(refusal="Choose Accept or Decline.")
        return handler(request)

    def accept(self, request):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={reverse('invitations:accept')}")
        try:
            acceptance = services.accept_invitation(
                token_hash=self.token_hash, user=request.user, actor=request.user
            )
        except (WrongUser, LevelNotAllowed, InvitationClosed) as refusal:
            return self.render(refusal=str(refusal))
        return self.joined(request, acceptance)

    def signup(self, request):
        if request.user.is_authenticated:
            return self.render(refusal="You are already signed in.")
        form = AcceptSignupForm(request.POST, email=self.invitation.email)
        if not form.is_valid():
            return self.render(signup_form=form)
        try:
            user, acceptance = services.accept_invitation_with_signup(
                token_hash=self.token_hash,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except (WrongUser, LevelNotAllowed, InvitationClosed) as refusal:
            return self.render(refusal=str(refusal))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        from allauth.account.internal.flows.login import record_authentication

        record_authentication(request, user, method="password", email=user.email)
        return self.joined(request, acceptance)

    def decline(self, request):
        if request.user.is_authenticated and not self.signed_in_as_invitee():
            return self.render(refusal="Sign out first: this invitation is for another email.")
        try:
            invitation = services.decline_invitation(
                token_hash=self.token_hash,
                actor=request.user if request.user.is_authenticated else None,
            )
        except InvitationClosed as refusal:
            return self.render(refusal=str(refusal))
        request.session.pop(SESSION_KEY, None)
        return TemplateResponse(request, "invitations/declined.html", {"invitation": invitation})

    def signout(self, request):
        logout(request)  # a new, empty session
        request.session[SESSION_KEY] = self.token_hash
        return redirect("invitations:accept")

    def joined(self, request, acceptance):
        request.session.pop(SESSION_KEY, None)
        request.session[CURRENT_ACCOUNT_SESSION_KEY] = acceptance.account.pk
        if acceptance.already_member:
            messages.info(
                request, f"You are already a member of {acceptance.account.name}; nothing changed."
            )
        else:
            messages.success(
                request,
                f"Welcome to {acceptance.account.name}. You joined as "
                f"{acceptance.membership.get_role_display()}.",
            )
        return redirect("overview", slug=acceptance.account.slug)

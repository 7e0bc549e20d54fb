"""The join link: /join/<token>/ moves the token into the session (as the invitation link
does) and /join/ shows the signed-in person the account and their request. Someone not
signed in is sent to sign in, whatever the token, so a link tells a stranger nothing."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from invitations import throttle
from invitations.tokens import hash_token
from joining import services
from joining.exceptions import EmailNotVerified
from joining.forms import JoinRequestForm
from joining.models import JOIN_REQUEST_EXPIRY
from joining.selectors import link_for_token_hash, pending_request_of
from memberships.exceptions import MembershipError

# The session holds the link's digest, never the token itself.
SESSION_KEY = "join_token_hash"


@method_decorator(never_cache, name="dispatch")
class JoinTokenView(View):
    """GET /join/<token>/: remember the link's digest and drop the token from the address
    bar. The same answer for every token, signed in or not."""

    http_method_names = ["get", "head"]

    def get(self, request, token):
        token_hash = hash_token(token)
        # A link that matches nothing counts once, here, where the token arrives (with the
        # invitation links' per-IP guesses); opening /join/ again with it in the session is
        # no new guess.
        if not throttle.is_blocked() and link_for_token_hash(token_hash) is None:
            throttle.record_bad_token()
        request.session[SESSION_KEY] = token_hash
        return redirect("joining:join")


@method_decorator(never_cache, name="dispatch")
class JoinView(LoginRequiredMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if throttle.is_blocked():
            return TemplateResponse(request, "invitations/too_many_attempts.html", status=429)
        self.token_hash = request.session.get(SESSION_KEY, "")
        link = link_for_token_hash(self.token_hash)
        if link is None:
            return self.invalid()
        self.account = link.account
        if not self.account.join_requests_enabled or self.account.is_closed:
            return self.invalid()
        return super().dispatch(request, *args, **kwargs)

    def invalid(self):
        return TemplateResponse(self.request, "joining/invalid.html", status=404)

    def render(self, form=None, status=200):
        user = self.request.user
        refusal, unverified = "", False
        try:
            services.check_may_ask(self.account, user)
        except MembershipError as error:
            refusal, unverified = error.message, isinstance(error, EmailNotVerified)
        context = {
            "join_account": self.account,
            "refusal": refusal,
            "unverified": unverified,
            "pending": None if refusal else pending_request_of(self.account, user),
            "form": form or JoinRequestForm(),
            "expiry_days": JOIN_REQUEST_EXPIRY.days,
        }
        return TemplateResponse(self.request, "joining/join.html", context, status=status)

    def get(self, request):
        return self.render()

    def post(self, request):
        if request.POST.get("action") == "withdraw":
            return self.withdraw(request)
        form = JoinRequestForm(request.POST)
        if not form.is_valid():
            return self.render(form)
        try:
            services.request_to_join(
                token_hash=self.token_hash, note=form.cleaned_data["note"], actor=request.user
            )
        except MembershipError as error:
            form.add_error(None, error.message)
            return self.render(form)
        messages.success(
            request,
            f"Your request to join {self.account.name} is sent. You will get an email when an "
            "Owner or Admin answers it.",
        )
        return redirect("joining:join")

    def withdraw(self, request):
        pending = pending_request_of(self.account, request.user)
        if pending is None:
            messages.info(request, "You have no request waiting for an answer.")
            return redirect("joining:join")
        try:
            services.withdraw_join_request(request_id=pending.pk, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"You withdrew your request to join {self.account.name}.")
        return redirect("joining:join")

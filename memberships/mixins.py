"""Account context for every page under /a/<slug>/ (every app above memberships may use it).

MembershipRequiredMixin: the access gate (memberships.access) must let the visitor in; a
non-member or suspended member gets 404 (never 403, so an account's existence does not
leak). PermissionRequiredMixin adds a
registry permission: a member without it gets a 403 page naming the levels that hold it.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from memberships import access
from memberships.exceptions import MembershipError
from memberships.models import Membership, MembershipStatus
from memberships.permissions import get_permission, roles_with_permission

# The account a person last opened (the profile page and the invitation accept flow use it).
CURRENT_ACCOUNT_SESSION_KEY = "roster_current_account"


def load_membership(request, slug: str) -> Membership:
    """The membership of request.user in the account `slug` (active, or suspended: the gate
    then refuses it with its own page), or Http404 for everyone else.

    One query loads all the person's active memberships (with their accounts): the header's
    account switcher lists the same rows, so it reuses them (`request.active_memberships`)
    instead of asking again on every page. Only a miss asks once more, for a suspension.
    """
    memberships = active_memberships(request.user)
    request.active_memberships = memberships
    for membership in memberships:
        if membership.account.slug == slug:
            membership.user = request.user
            return membership
    suspended = (
        Membership.objects.select_related("account")
        .filter(user=request.user, account__slug=slug)
        .exclude(status=MembershipStatus.ACTIVE)
        .first()
    )
    if suspended is None:
        raise Http404("No such account.")
    suspended.user = request.user
    return suspended


def active_memberships(user) -> list[Membership]:
    """`user`'s active memberships with their accounts, by account name."""
    return list(
        Membership.objects.active()
        .select_related("account")
        .filter(user=user)
        .order_by("account__name", "pk")
    )


class MembershipRequiredMixin(LoginRequiredMixin):
    """Loads request.account and request.membership through the access gate
    (memberships.access): 404 for non-members, the suspended page for a suspended member, the
    closed-account page for a closed account, the 2FA set-up page while a 2FA demand is unmet.

    `allow_closed_account` and `allow_without_2fa` name the refusals a page tolerates.
    """

    allow_closed_account = False
    allow_without_2fa = False

    def get_tolerated_refusals(self) -> set:
        tolerated = set()
        if self.allow_closed_account:
            tolerated.add(access.Refusal.ACCOUNT_CLOSED)
        if self.allow_without_2fa:
            tolerated |= access.TWO_FACTOR
        return tolerated

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = load_membership(request, kwargs["slug"])
        request.membership = membership
        request.account = membership.account
        self.membership = membership
        self.account = membership.account
        access.forget_met_two_factor_reset(request.user)
        decision = access.decide(
            request.user,
            self.account,
            membership=membership,
            tolerate=self.get_tolerated_refusals(),
        )
        if decision.refusal == access.Refusal.ACCOUNT_CLOSED:
            return TemplateResponse(
                request, "accounts/closed.html", {"account": self.account}, status=403
            )
        if decision.refusal in access.TWO_FACTOR:
            return redirect("two_factor_required", slug=self.account.slug)
        if decision.refusal == access.Refusal.SUSPENDED:
            # They are a member, so the account's name tells them nothing new.
            context = {
                "account": self.account,
                "ended_on": membership.access_until if access.access_ended(membership) else None,
            }
            return TemplateResponse(request, "accounts/suspended.html", context, status=403)
        if not decision.granted:  # a refusal this page has no answer for
            raise Http404("No such account.")
        return self.check_permission(request, *args, **kwargs)

    def check_permission(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("account", self.account)
        context.setdefault("membership", self.membership)
        return context


class PermissionRequiredMixin(MembershipRequiredMixin):
    """`permission = "members.invite"`: members without it get a 403 that names who has it."""

    permission: str | None = None

    def get_permission(self) -> str:
        if not self.permission:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs `permission = '...'` (a registry code)."
            )
        return self.permission

    def check_permission(self, request, *args, **kwargs):
        code = self.get_permission()
        if not self.membership.can(code):
            return self.handle_forbidden(code)
        return super().check_permission(request, *args, **kwargs)

    def handle_forbidden(self, code):
        permission = get_permission(code)
        context = {
            "account": self.account,
            "membership": self.membership,
            "permission": permission,
            "roles": roles_with_permission(code, account=self.account),
        }
        return TemplateResponse(self.request, "403.html", context, status=403)


class MemberActionMixin(PermissionRequiredMixin):
    """Loads the target member of this account (404 for any other id) and runs one service."""

    success_message = ""

    def get_target(self):
        return get_object_or_404(
            Membership.objects.select_related("user"),
            account=self.account,
            pk=self.kwargs["member_id"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["target"] = self.target
        return context

    def get(self, request, *args, **kwargs):
        self.target = self.get_target()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        try:
            message = self.perform()
        except MembershipError as error:
            messages.error(request, error.message)
        else:
            name = self.target.user.display_name
            messages.success(request, message or self.success_message.format(name=name))
        return redirect("people:users", slug=self.account.slug)

    # The one service this page calls, e.g. `service = staticmethod(services.suspend_member)`.
    service = None

    def perform(self) -> str | None:
        """Run the service; return a message to show instead of `success_message`, or None."""
        if self.service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs `service` or `perform()`.")
        self.service(account=self.account, membership_id=self.target.pk, actor=self.request.user)
        return None

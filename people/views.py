"""Admin > Users and the self-service membership pages. Thin: each POST calls one service."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from accounts.reauth import RecentAuthenticationRequiredMixin
from accounts.roles import Role
from memberships.exceptions import MembershipError
from memberships.mixins import MemberActionMixin, MembershipRequiredMixin, PermissionRequiredMixin
from memberships.models import MembershipStatus
from people import services, users_page
from people.forms import BulkRevokeForm, LevelForm, MemberFilterForm, TransferForm
from transfers import services as transfers
from transfers.selectors import pending_transfer

PAGE_SIZE = 25


def paginate(queryset, number, *, count: int):
    """A page of `queryset` whose total is already known (no COUNT query of its own)."""
    paginator = Paginator(queryset, PAGE_SIZE)
    paginator.count = count  # seeds the cached_property
    return paginator.get_page(number)


def member_filter_from(request) -> tuple[MemberFilterForm, users_page.MemberFilter]:
    """The Users page's filter and sort from the query string (none when it is invalid)."""
    form = MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, users_page.MemberFilter(
        q=filters.get("q", ""),
        level=filters.get("level", ""),
        status=filters.get("status", ""),
        sort=filters.get("sort") or "email",
    )


# The member columns a person can sort by: (sort key, heading).
SORTABLE_COLUMNS = [
    ("name", _("Name")),
    ("email", _("Email")),
    ("level", _("Level")),
    ("joined", _("Joined")),
    ("last_login", _("Last login")),
]


def sort_headers(request, current: str) -> dict:
    """{sort key: (heading, href, aria-sort or "")}: each heading links to its column's
    ascending order (descending when it is already ascending), keeping the filters and
    starting again at page 1."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    active, descending = current.removeprefix("-"), current.startswith("-")
    headers = {}
    for key, heading in SORTABLE_COLUMNS:
        is_active = key == active
        query["sort"] = f"-{key}" if is_active and not descending else key
        aria = ("descending" if descending else "ascending") if is_active else ""
        headers[key] = (heading, f"?{query.urlencode()}", aria)
    return headers


class UsersView(PermissionRequiredMixin, TemplateView):
    permission = "members.view"
    template_name = "memberships/users.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, member_filter = member_filter_from(self.request)
        numbers = users_page.numbers(self.account, member_filter)
        page = paginate(
            users_page.Rows(
                numbers.members,
                lambda offset, limit: users_page.member_page(
                    self.account, member_filter, offset=offset, limit=limit, total=numbers.members
                ),
            ),
            self.request.GET.get("page"),
            count=numbers.members,
        )
        rows = page.object_list
        row_actions = self.row_actions()
        for member in rows:
            # None: no actions on this member at all (the Owner, oneself, someone above).
            member.actions = (
                self.actions_for(member, row_actions)
                if services.may_act_on(self.membership, member)
                else None
            )
        # Invitations page independently of members (`inv_page`), so a large backlog of
        # pending invitations never makes the page render thousands of rows.
        invitations = paginate(
            users_page.Rows(
                numbers.invitations,
                lambda offset, limit: users_page.invitation_page(
                    self.account, offset=offset, limit=limit, q=member_filter.q
                ),
            ),
            self.request.GET.get("inv_page"),
            count=numbers.invitations,
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        invitations_query = self.request.GET.copy()
        invitations_query.pop("inv_page", None)
        export_query = {
            name: value
            for name, value in vars(member_filter).items()
            if value and not (name == "sort" and value == "email")
        }
        context.update(
            filter_form=form,
            sort_headers=sort_headers(self.request, member_filter.sort),
            export_query=urlencode(export_query),
            page_obj=page,
            members=rows,
            filter_query=query.urlencode(),
            invitations_page=invitations,
            invitations_query=invitations_query.urlencode(),
            pending_invitations=invitations.object_list,
            invitation_action_urls=self.invitation_action_urls(),
            seats_used=numbers.seats_used,
            plan=self.account.plan_info,
        )
        return context

    # (label, url name, permission, button style, which members: any/active/suspended/2fa)
    ROW_ACTIONS = [
        (_("Edit level"), "people:edit_level", "members.set_level", "secondary", "any"),
        (_("Suspend"), "people:suspend", "members.suspend", "secondary", "active"),
        (_("Reactivate"), "people:reactivate", "members.suspend", "secondary", "suspended"),
        (_("Reset 2FA"), "security:reset_2fa", "members.reset_2fa", "secondary", "2fa"),
        (_("Revoke"), "people:revoke", "members.revoke", "danger", "any"),
    ]

    def row_actions(self):
        """The actions this viewer may take on members, as (label, url name, style, for)."""
        return [
            (label, name, style, shown_for)
            for label, name, permission, style, shown_for in self.ROW_ACTIONS
            if self.membership.can(permission)
        ]

    def invitation_action_urls(self):
        """(resend, cancel) URL names, or None when this viewer may do neither."""
        if not self.membership.can("members.invite"):
            return None
        return ("invitations:resend", "invitations:cancel")

    def actions_for(self, member, row_actions):
        shown = {"any", "active" if member.is_active else "suspended"}
        if member.has_any_2fa:  # text messages too, where they do not count (issue 18)
            shown.add("2fa")
        return [
            (
                label,
                reverse(name, kwargs={"slug": self.account.slug, "member_id": member.pk}),
                style,
            )
            for label, name, style, shown_for in row_actions
            if shown_for in shown
        ]


class MembersExportView(PermissionRequiredMixin, View):
    """The members under the Users page's filter and sort as a CSV file, streamed."""

    permission = "members.view"

    def get(self, request, *args, **kwargs):
        _form, member_filter = member_filter_from(request)
        rows = users_page.member_csv_rows(
            self.account,
            member_filter,
            # The body is read after the request ends: its language and time zone are read now.
            zone=timezone.get_current_timezone(),
            levels={value: str(label) for value, label in Role.choices},
            statuses={value: str(label) for value, label in MembershipStatus.choices},
        )
        writer = csv.writer(_Echo())
        return StreamingHttpResponse(
            (writer.writerow(row) for row in rows),
            content_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{self.account.slug}-members.csv"'
            },
        )


class _Echo:
    """A file for csv.writer that hands back each line instead of keeping it."""

    def write(self, line: str) -> str:
        return line


class SuspendView(MemberActionMixin, TemplateView):
    permission = "members.suspend"
    template_name = "memberships/confirm_suspend.html"
    success_message = "{name} is suspended."
    service = staticmethod(services.suspend_member)


class ReactivateView(MemberActionMixin, TemplateView):
    permission = "members.suspend"
    template_name = "memberships/confirm_reactivate.html"
    success_message = "{name} is active again."
    service = staticmethod(services.reactivate_member)


class RevokeView(MemberActionMixin, RecentAuthenticationRequiredMixin, TemplateView):
    permission = "members.revoke"
    template_name = "memberships/confirm_revoke.html"
    success_message = "{name} no longer has access."
    service = staticmethod(services.revoke_member)


class EditLevelView(MemberActionMixin, FormView):
    permission = "members.set_level"
    template_name = "memberships/edit_level.html"

    def levels(self):
        return services.grantable_levels(account=self.account, actor_membership=self.membership)

    def get_form(self, form_class=None):
        return LevelForm(**self.get_form_kwargs(), levels=self.levels())

    def get_initial(self):
        return {"level": self.target.role}

    def post(self, request, *args, **kwargs):
        self.target = self.get_target()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        try:
            services.change_level(
                account=self.account,
                membership_id=self.target.pk,
                level=form.cleaned_data["level"],
                actor=request.user,
            )
        except MembershipError as error:
            form.add_error("level", error.message)
            return self.form_invalid(form)
        self.target.refresh_from_db()
        messages.success(
            request, f"{self.target.user.display_name} is now {self.target.get_role_display()}."
        )
        return redirect("people:users", slug=self.account.slug)


class BulkRevokeView(PermissionRequiredMixin, RecentAuthenticationRequiredMixin, FormView):
    """GET ?member=1&member=2 shows who will lose access; POST revokes all or none."""

    permission = "members.revoke"
    template_name = "memberships/confirm_bulk_revoke.html"

    def get_form(self, form_class=None):
        data = self.request.POST if self.request.method == "POST" else self.request.GET
        return BulkRevokeForm(data, account=self.account)

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            messages.error(request, "Select at least one member of this account to revoke.")
            return redirect("people:users", slug=self.account.slug)
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        ids = [m.pk for m in form.cleaned_data["member"]]
        try:
            count = services.bulk_revoke(
                account=self.account, membership_ids=ids, actor=self.request.user
            )
        except MembershipError as error:
            messages.error(self.request, f"Nobody was revoked. {error.message}")
        else:
            messages.success(self.request, f"{count} people no longer have access.")
        return redirect("people:users", slug=self.account.slug)

    def form_invalid(self, form):
        messages.error(self.request, "Nobody was revoked: select members of this account.")
        return redirect("people:users", slug=self.account.slug)


class LeaveView(MembershipRequiredMixin, TemplateView):
    """Any member except the Owner leaves; on their last account the login goes too."""

    template_name = "memberships/leave.html"
    allow_without_2fa = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_last_account"] = services.is_last_membership(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        try:
            deleted_login = services.leave_account(account=self.account, actor=request.user)
        except MembershipError as error:
            messages.error(request, error.message)
            return redirect("people:leave", slug=self.account.slug)
        if deleted_login:
            logout(request)
            messages.success(request, f"You left {self.account.name} and your login is deleted.")
            return redirect("account_login")
        messages.success(request, f"You left {self.account.name}.")
        return redirect("home")


class TransferView(PermissionRequiredMixin, FormView):
    permission = "ownership.transfer"
    template_name = "memberships/transfer.html"

    def get_form(self, form_class=None):
        return TransferForm(**self.get_form_kwargs(), account=self.account, user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending_transfer"] = pending_transfer(self.account)
        return context

    def form_valid(self, form):
        target = form.cleaned_data["new_owner"]
        try:
            transfers.start_transfer(
                account=self.account, new_owner_membership_id=target.pk, actor=self.request.user
            )
        except MembershipError as error:
            form.add_error("new_owner", error.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{target.user.display_name} is asked to accept ownership. You stay the Owner "
            "until they accept.",
        )
        return redirect(reverse("people:transfer", kwargs={"slug": self.account.slug}))

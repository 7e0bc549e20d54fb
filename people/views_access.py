"""A member's "access until" (issue 20): when their access ends, set by an Owner or Admin."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.generic import FormView

from memberships.access_until import shown
from memberships.exceptions import MembershipError
from memberships.mixins import PermissionRequiredMixin
from memberships.models import Membership
from people import services
from people.forms import AccessUntilForm


class AccessUntilView(PermissionRequiredMixin, FormView):
    """Set, move or clear when a member's access ends. Never one's own, never the Owner's,
    never for someone above one's level: those are a 403 here (the service refuses them too)."""

    permission = "members.suspend"
    template_name = "memberships/access_until.html"
    form_class = AccessUntilForm

    def check_permission(self, request, *args, **kwargs):
        # This account's member (404 for any other id), and one the viewer may act on.
        self.target = get_object_or_404(
            Membership.objects.select_related("user"), account=self.account, pk=kwargs["member_id"]
        )
        if not services.may_act_on(self.membership, self.target):
            context = {"account": self.account, "membership": self.membership}
            return TemplateResponse(request, "403.html", context, status=403)
        return super().check_permission(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(target=self.target, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "current": self.target.access_until}

    def get_initial(self):
        until = self.target.access_until
        return {"access_until": timezone.localtime(until).date() if until else None}

    def form_valid(self, form):
        access_until = form.cleaned_data["access_until"]
        try:
            services.set_access_until(
                account=self.account,
                membership_id=self.target.pk,
                access_until=access_until,
                actor=self.request.user,
            )
        except MembershipError as error:
            form.add_error("access_until", error.message)
            return self.form_invalid(form)
        name = self.target.user.display_name
        messages.success(
            self.request,
            f"{name}'s access ends on {shown(access_until)}."
            if access_until
            else f"{name}'s access has no end date.",
        )
        return redirect("people:users", slug=self.account.slug)

from django.views.generic import TemplateView

from accounts.plans import PLANS
from accounts.roles import ROLES_HIGHEST_FIRST
from memberships.mixins import MembershipRequiredMixin
from memberships.permissions import permissions_by_area


class RolesView(MembershipRequiredMixin, TemplateView):
    """The permission registry as a comparison table; open to every member."""

    template_name = "memberships/roles.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = ROLES_HIGHEST_FIRST
        context["roles"] = roles
        context["roster_areas"] = self.rows(permissions_by_area(product=False), roles)
        context["product_areas"] = self.rows(permissions_by_area(product=True), roles)
        context["plans"] = PLANS.values()
        return context

    def rows(self, areas, roles):
        return [
            (
                area,
                [
                    {
                        "permission": p,
                        "cells": [(role, p.granted(role, self.account)) for role in roles],
                    }
                    for p in perms
                ],
            )
            for area, perms in areas
        ]

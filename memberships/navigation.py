"""The sidebar: each entry names its URL and the permission that opens it.

Entries whose URL is not defined yet are skipped, so the shell never links to a missing page.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str  # translatable (gettext_lazy)
    url_name: str
    permission: str
    section: str = ""


SIDEBAR = [
    NavItem(_("Overview"), "overview", "account.view"),
    NavItem(_("Users"), "people:users", "members.view", _("Admin")),
    NavItem(_("Activity log"), "audit:activity", "activity.view", _("Admin")),
    NavItem(_("Billing"), "billing:subscription", "billing.manage", _("Admin")),
    NavItem(_("API keys"), "apikeys:list", "apikeys.view", _("Admin")),
    NavItem(_("Settings"), "account_settings:index", "settings.view", _("Admin")),
    NavItem(_("Roles & permissions"), "people:roles", "account.view", _("Help")),
]


def sidebar_for(membership, current_path: str) -> list[dict]:
    slug = membership.account.slug
    overview = reverse("overview", kwargs={"slug": slug})
    items = []
    for item in SIDEBAR:
        if not membership.can(item.permission):
            continue
        try:
            url = reverse(item.url_name, kwargs={"slug": slug})
        except NoReverseMatch:
            continue
        # A section is active on its own pages too (Users > Edit level), except the
        # Overview, whose URL is every page's prefix.
        active = current_path == url or (url != overview and current_path.startswith(url))
        items.append({"label": item.label, "url": url, "section": item.section, "active": active})
    return items

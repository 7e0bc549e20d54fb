"""The sidebar: each entry names its URL and the permission that opens it.

Entries whose URL is not defined yet are skipped, so the shell never links to a missing page.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    section: str = ""


SIDEBAR = [
    NavItem("Overview", "overview", "account.view"),
    NavItem("Users", "people:users", "members.view", "Admin"),
    NavItem("Activity log", "audit:activity", "activity.view", "Admin"),
    NavItem("Billing", "billing:subscription", "billing.manage", "Admin"),
    NavItem("API keys", "apikeys:list", "apikeys.view", "Admin"),
    NavItem("Settings", "account_settings:index", "settings.view", "Admin"),
    NavItem("Roles & permissions", "people:roles", "account.view", "Help"),
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

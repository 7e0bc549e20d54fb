"""The permission registry: every action a level may take, in code, in one place.

Ask it through `memberships.access.has_permission(user, account, code)` (the access gate
and the level), `membership.can(code)` (the level alone), the
`{% has_permission %}` template tag or `PermissionRequiredMixin.permission`; never compare
role names in views or templates.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from accounts.roles import ROLES_HIGHEST_FIRST, Role

O, A, M, AU, V = Role.OWNER, Role.ADMIN, Role.MANAGER, Role.AUTHOR, Role.VIEWER  # noqa: E741
ALL = frozenset(ROLES_HIGHEST_FIRST)
OWNER_ADMIN = frozenset({O, A})


@dataclass(frozen=True)
class Permission:
    code: str
    label: str
    area: str
    roles: frozenset[str]
    # Extra grants that depend on an account setting: {role: predicate(account) -> bool}.
    conditional: dict[str, Callable] = field(default_factory=dict, hash=False, compare=False)
    note: str = ""

    def granted(self, role: str, account=None) -> bool:
        if role in self.roles:
            return True
        predicate = self.conditional.get(role)
        return bool(predicate and account is not None and predicate(account))


def _admins_can_manage_billing(account) -> bool:
    return account.admins_can_manage_billing


AREAS = ["Account", "Users", "Billing", "API keys", "Audiences", "Emails and templates", "Reports"]
# Areas whose pages are in the applications built on Roster, not in Roster itself: the
# registry holds their permissions so those applications ask the same levels.
PRODUCT_AREAS = frozenset({"Audiences", "Emails and templates", "Reports"})

_PERMISSIONS = [
    # Account administration
    Permission("account.view", "Open the account", "Account", ALL),
    Permission("settings.view", "Open account settings", "Account", OWNER_ADMIN),
    Permission("account.rename", "Change company name", "Account", OWNER_ADMIN),
    Permission("security.require_2fa", "Require two-factor authentication", "Account", OWNER_ADMIN),
    Permission("account.export", "Export account data", "Account", OWNER_ADMIN),
    Permission("account.close", "Close account", "Account", OWNER_ADMIN),
    Permission("account.reopen", "Reopen a closed account", "Account", frozenset({O})),
    Permission("activity.view", "View activity log", "Account", OWNER_ADMIN),
    Permission("ownership.transfer", "Transfer ownership", "Account", frozenset({O})),
    Permission("billing.allow_admins", "Let Admins manage billing", "Account", frozenset({O})),
    # People
    Permission("members.view", "View users and invitations", "Users", OWNER_ADMIN),
    Permission("members.invite", "Invite users", "Users", OWNER_ADMIN),
    Permission("members.set_level", "Set user level", "Users", OWNER_ADMIN),
    Permission("members.suspend", "Suspend and reactivate users", "Users", OWNER_ADMIN),
    Permission("members.revoke", "Revoke access", "Users", OWNER_ADMIN),
    Permission(
        "members.reset_2fa", "Reset a user's two-factor authentication", "Users", OWNER_ADMIN
    ),
    # Billing
    Permission(
        "billing.manage",
        "Manage billing (subscription, address, invoices)",
        "Billing",
        frozenset({O}),
        conditional={A: _admins_can_manage_billing},
        note="Admins only when the Owner turns on “Admins can manage billing”.",
    ),
    # API keys
    Permission("apikeys.view", "View API keys", "API keys", OWNER_ADMIN),
    Permission("apikeys.create", "Create API keys", "API keys", OWNER_ADMIN),
    Permission("apikeys.regenerate", "Regenerate API keys", "API keys", frozenset({O})),
    Permission(
        "apikeys.delete_any", "Delete API keys created by others", "API keys", frozenset({O})
    ),
    # Product: audiences and lists
    Permission("audiences.view", "View audiences", "Audiences", frozenset({O, A, M})),
    Permission("audiences.import", "Import contacts", "Audiences", frozenset({O, A, M})),
    Permission("audiences.export", "Export audiences", "Audiences", OWNER_ADMIN),
    Permission(
        "audiences.edit_contacts", "Add and delete contacts", "Audiences", frozenset({O, A, M})
    ),
    Permission("audiences.segments", "Create and edit segments", "Audiences", frozenset({O, A, M})),
    Permission("audiences.settings", "Change audience settings", "Audiences", OWNER_ADMIN),
    # Product: emails, templates and automations
    Permission("emails.create", "Create emails", "Emails and templates", frozenset({O, A, M, AU})),
    Permission("emails.edit", "Edit emails", "Emails and templates", frozenset({O, A, M, AU})),
    Permission("emails.send", "Send emails", "Emails and templates", frozenset({O, A, M})),
    Permission("emails.pause", "Pause emails", "Emails and templates", frozenset({O, A, M})),
    Permission("emails.delete", "Delete emails", "Emails and templates", frozenset({O, A, M, AU})),
    Permission(
        "templates.manage",
        "Create, edit and delete templates",
        "Emails and templates",
        frozenset({O, A, M, AU}),
    ),
    Permission(
        "automations.manage",
        "Create, edit and delete automations",
        "Emails and templates",
        frozenset({O, A, M, AU}),
    ),
    # Product: reports
    Permission("reports.view", "View reports", "Reports", ALL),
    Permission(
        "reports.subscriber_level",
        "View subscriber-level reports",
        "Reports",
        frozenset({O, A, M}),
    ),
]

REGISTRY: dict[str, Permission] = {p.code: p for p in _PERMISSIONS}
assert len(REGISTRY) == len(_PERMISSIONS), "duplicate permission code"
assert {p.area for p in _PERMISSIONS} <= set(AREAS)


def get_permission(code: str) -> Permission:
    try:
        return REGISTRY[code]
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown permission {code!r}: add it to the registry."
        ) from None


def role_has_permission(role: str, code: str, *, account=None) -> bool:
    return get_permission(code).granted(role, account)


def roles_with_permission(code: str, *, account=None) -> list[Role]:
    permission = get_permission(code)
    return [r for r in ROLES_HIGHEST_FIRST if permission.granted(r, account)]


def permissions_by_area(*, product: bool | None = None) -> list[tuple[str, list[Permission]]]:
    """(area, permissions) in registry order; `product=True` only the areas of the
    applications built on Roster, `False` only Roster's own, None all."""
    areas = [a for a in AREAS if product is None or (a in PRODUCT_AREAS) == product]
    return [(area, [p for p in _PERMISSIONS if p.area == area]) for area in areas]

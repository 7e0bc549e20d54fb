"""The header's menus and the account sidebar of every page, built in Python.

Why not template markup: every signed-in page renders both, and the template engine spent
about 1.5 ms on them (variable lookups, `{% url %}`, `{% ifchanged %}`); these functions
spend a tenth of that. Kept by `make bench` (PostgreSQL, one mixed stream) together with the
Users rows (people/templatetags/users_table.py, whose docstring has both runs' figures): with
both as templates, p50 at 100,000 members went from 54.3 to 99.7 ms in the first run and
from 26.1 to 35.2 ms (+35%) in the latest, widening the missed p50(Users) / p50(hello).
The markup is the same as the templates wrote (tests/memberships/test_shell.py reads it). The
page layout, its blocks and everything page-specific stay in base.html.

Every value goes through `e()` (config/html.py says why not conditional_escape), and every
word a person reads is translatable (gettext), escaped too.

Data comes from the `memberships.context_processors.shell` context: `switcher_memberships`,
`current_account`, `current_membership`, `sidebar`.
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.html import e

register = template.Library()

_USER_MENU = (
    (gettext_lazy("Personal settings"), "profile"),
    (gettext_lazy("Change password"), "account_change_password"),
    (gettext_lazy("Two-factor authentication"), "mfa_index"),
    (gettext_lazy("Sessions"), "usersessions_list"),
    (gettext_lazy("Create an account"), "account_create"),
)


def _item(url: str, text: str) -> str:
    """A plain menu entry; `url` and `text` are escaped here."""
    return f'<li><a class="dropdown-item" href="{e(url)}">{e(text)}</a></li>'


def _dropdown(menu_id: str, hidden_label: str, label: str, items: list[str], last: str) -> str:
    """A Bootstrap dropdown: its button (`label` already escaped), `items`, a divider and
    the `last` item."""
    return (
        '<div class="dropdown">'
        '<button class="btn btn-outline-secondary btn-sm dropdown-toggle" type="button"'
        f' data-bs-toggle="dropdown" aria-expanded="false" id="{menu_id}">'
        f'<span class="visually-hidden">{hidden_label}</span>{label}</button>'
        f'<ul class="dropdown-menu dropdown-menu-end" aria-labelledby="{menu_id}">'
        + "".join(items)
        + f'<li><hr class="dropdown-divider"></li>{last}</ul></div>'
    )


def _switcher(memberships, current_account) -> str:
    if not memberships:
        return ""
    current_pk = current_account.pk if current_account else None
    items = []
    for m in memberships:
        current = m.account_id == current_pk
        url = e(reverse("overview", kwargs={"slug": m.account.slug}))
        items.append(
            f'<li><a class="dropdown-item{" active" if current else ""}" href="{url}"'
            f"{' aria-current="true"' if current else ''}>{e(m.account.name)} "
            f'<span class="text-body-secondary small">{e(m.get_role_display())}</span></a></li>'
        )
    label = e(current_account.name) if current_account else e(_("Choose an account"))
    last = _item(reverse("account_chooser"), _("All accounts"))
    return _dropdown("account-switcher", e(_("Current account: ")), label, items, last)


def _user_menu(user, current_membership) -> str:
    items = [_item(reverse(name), label) for label, name in _USER_MENU]
    if current_membership is not None:
        account = current_membership.account
        try:
            leave_url = reverse("people:leave", kwargs={"slug": account.slug})
        except NoReverseMatch:
            pass
        else:
            items.append(_item(leave_url, _("Leave %(account)s") % {"account": account.name}))
    last = _item(reverse("account_logout"), _("Sign out"))
    return _dropdown("user-menu", e(_("User menu for ")), e(user.display_name), items, last)


@register.simple_tag(takes_context=True)
def shell_header_menus(context):
    """The header's right-hand side: the account switcher and the user menu, or the
    sign-in and sign-up links."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return mark_safe(  # noqa: S308 (URLs went through e())
            f'<nav class="ms-auto" aria-label="{e(_("Sign in"))}">'
            f'<a class="btn btn-link" href="{e(reverse("account_login"))}">{e(_("Sign in"))}</a> '
            f'<a class="btn btn-primary btn-sm" href="{e(reverse("account_signup"))}">'
            f"{e(_('Sign up'))}</a></nav>"
        )
    memberships = context.get("switcher_memberships")
    if callable(memberships):
        memberships = memberships()
    current_account = context.get("current_account")
    return mark_safe(  # noqa: S308 (every value went through e())
        '<nav class="ms-auto d-flex flex-wrap justify-content-end align-items-center gap-2"'
        f' aria-label="{e(_("Account and user"))}">'
        + _switcher(memberships, current_account)
        + _user_menu(user, context.get("current_membership"))
        + "</nav>"
    )


@register.simple_tag(takes_context=True)
def shell_sidebar(context):
    """The account's sections this person may open (memberships.navigation.sidebar_for), or
    nothing outside an account."""
    sidebar = context.get("sidebar")
    if not sidebar:
        return ""
    name = e(context["current_account"].name)
    sections_label = _("%(account)s sections") % {"account": context["current_account"].name}
    items, section = [], None
    for item in sidebar:
        if item["section"] != section:
            section = item["section"]
            if section:
                items.append(
                    '<li class="nav-item mt-3 px-2 small text-uppercase text-body-secondary"'
                    f' aria-hidden="true">{e(section)}</li>'
                )
        active = item["active"]
        hidden = (
            f'<span class="visually-hidden">{e(item["section"])}: </span>'
            if item["section"]
            else ""
        )
        items.append(
            f'<li class="nav-item"><a class="nav-link{" active" if active else ""}"'
            f' href="{e(item["url"])}"{' aria-current="page"' if active else ""}>'
            f"{hidden}{e(item['label'])}</a></li>"
        )
    # Below the md breakpoint the sections fold behind a menu button (Bootstrap's collapse);
    # without JavaScript css/noscript.css keeps them open and hides the button (WCAG 1.4.10).
    return mark_safe(  # noqa: S308 (every value went through e())
        '<nav class="col-md-3 col-lg-2 border-end py-3 sidebar"'
        f' aria-label="{e(sections_label)}">'
        '<button class="btn btn-outline-secondary btn-sm d-md-none sidebar-toggle" type="button"'
        ' data-bs-toggle="collapse" data-bs-target="#sidebar-sections"'
        ' aria-controls="sidebar-sections" aria-expanded="false">'
        f"{e(_('Menu'))}</button>"
        '<div class="collapse d-md-block" id="sidebar-sections">'
        f'<p class="fw-semibold px-2 mb-2">{name}</p>'
        f'<ul class="nav nav-pills flex-column">{"".join(items)}</ul></div></nav>'
    )

"""The rows of the Users page's two tables, built in Python.

Why not template markup: a page holds 25 members and 25 invitations, and the template engine
spent about 0.25 ms per row resolving variables, escaping and formatting dates (10 ms of a
15 ms page at 10,000 members; `make bench`); format_html still spent 0.1 ms. Plain f-strings
with the standard library's html.escape cost a tenth of that. Django's admin builds its
change-list cells in Python too (`admin/templatetags/admin_list.py`). The table frames,
headings and captions stay in the templates.

Every value that comes from a person or the database goes through `e()` (config/html.py:
the standard library's html.escape, 0.43 us against 2.1 us for Django's conditional_escape on
a name, measured 2026-11-30; the same five characters escaped, and no value here is ever
already-safe markup); the only other pieces are literals of this module and URLs reversed per
row. Every word a person reads is translatable: looked up once per table in the active
language (`_words`), escaped too.

Kept by `make bench` (PostgreSQL, one mixed stream). First run of 2026-11-30: without these
rows and the Python-built shell, p50 at 100,000 members went from 54.3 to 99.7 ms and the page
missed p50(100,000) / p50(10) <= 1.5 (2.02 against 1.39). The later run committed in
bench/results/latest-postgresql.json (after issues 17, 18 and 20): without them p50 went from
26.2 to 35.8 ms at 1,000 members and from 26.1 to 35.2 ms at 100,000 (+35%). The 1.5 ratio
held without them in that run (1.41), but p50(Users) / p50(hello), the target the page still
misses, widens from 7.7 to 10.5 in the same stream (hello 3.4 ms): the largest single lever on
that gap, so they stay (issue 16's closing note).
"""

import functools

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.roles import Role
from config.html import e
from memberships.selectors import EXPIRES_SOON_WITHIN

register = template.Library()


@functools.cache
def _names(language: str | None) -> tuple[dict, dict]:
    """Escaped month abbreviations and level names in `language` (the active one)."""
    months = {number: e(str(name).title()) for number, name in MONTHS_3.items()}
    return months, {role.value: e(role.label) for role in Role}


@functools.cache
def _words(language: str | None) -> dict[str, str]:
    """Every word the rows show, translated into `language` (the active one) and escaped."""
    return {
        key: e(text)
        for key, text in {
            "you": _("you"),
            "active": _("Active"),
            "suspended": _("Suspended"),
            "never": _("Never"),
            "on": _("On"),
            "off": _("Off"),
            "select": _("Select"),
            "none": "—",
            "no_members": _("No members match these filters."),
            "expired": _("Expired"),
            "not_delivered": _("Not delivered — resend"),
            "sending": _("Sending"),
            "pending": _("Pending"),
            "resend": _("Resend"),
            "cancel": _("Cancel"),
            "invitation_to": _("invitation to"),
            "no_invitations": _("No pending invitations."),
            "invited_by": _("Invited by"),
            "access_until": _("Access until"),
            "ends_soon": _("Ends soon"),
            "ended": _("Ended"),
        }.items()
    }


class _Viewer:
    """What every row's text depends on, looked up once per table rather than per cell: the
    viewer's time zone, the month abbreviations and level names in the active language, and
    the time it is (for "expired")."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        language = translation.get_language()
        self.months, self.levels = _names(language)
        self.words = _words(language)
        self.now = timezone.now()
        self.soon = self.now + EXPIRES_SOON_WITHIN
        self._zone_names: dict[str | None, str] = {}

    def level(self, role: str) -> str:
        return self.levels.get(role) or e(role)

    def time(self, value, *, with_time: bool) -> str:
        """<time> in the viewer's time zone, as the `date` filter renders "j M Y[, H:i T]".

        The year and the clock are read off the ISO form the attribute needs anyway (zero-padded,
        as "Y" and "H:i" are): formatting them again cost a third of a row."""
        local = value.astimezone(self.zone)
        iso = local.isoformat()  # YYYY-MM-DDTHH:MM:SS[.ffffff]+HH:MM
        text = f"{local.day} {self.months[local.month]} {iso[:4]}"
        if with_time:
            name = local.tzname()
            zone_name = self._zone_names.get(name)
            if zone_name is None:
                zone_name = self._zone_names[name] = e(name)
            text = f"{text}, {iso[11:16]} {zone_name}"
        return f'<time datetime="{iso}">{text}</time>'


def _member_row(member, viewer_id, viewer: _Viewer) -> str:
    user = member.user
    email = e(user.email)
    words = viewer.words
    select = ""
    if member.actions is not None:
        select = (
            f'<input class="form-check-input" type="checkbox" name="member" value="{member.pk}"'
            f' id="select-{member.pk}" aria-label="{words["select"]} {e(user.display_name)}">'
        )
    you = (
        f' <span class="badge text-bg-light border">{words["you"]}</span>'
        if member.user_id == viewer_id
        else ""
    )
    status = (
        words["active"]
        if member.is_active
        else f'<span class="badge text-bg-warning">{words["suspended"]}</span>'
    )
    until = getattr(member, "access_until", None)  # "access until" (issue 20)
    if until is not None and member.role != Role.OWNER:
        # Past the date, the gate already refuses them, though the job has not yet recorded
        # the suspension: say so rather than "Active" alone.
        soon = ""
        if member.is_active and until <= viewer.now:
            soon = f' <span class="badge text-bg-danger">{words["ended"]}</span>'
        elif member.is_active and until <= viewer.soon:
            soon = f' <span class="badge text-bg-warning">{words["ends_soon"]}</span>'

        status += (
            f'<div class="small text-body-secondary" data-testid="access-until">'
            f"{words['access_until']} {viewer.time(until, with_time=False)}{soon}</div>"
        )
    last_login = viewer.time(user.last_login, with_time=True) if user.last_login else words["never"]
    inviter = getattr(member, "invited_by_name", None)  # people.users_page.member_page's
    invited_by = (
        f'<div class="small text-body-secondary">{words["invited_by"]} {e(inviter)}</div>'
        if inviter
        else ""
    )
    actions = "".join(
        f' <a class="btn btn-sm btn-outline-{css}" href="{e(url)}">{e(label)}'
        f'<span class="visually-hidden"> {email}</span></a>'
        for label, url, css in member.actions or ()
    )
    return (
        f'<tr data-member="{email}"><td>{select}</td>'
        f"<td>{e(user.get_full_name()) or words['none']}{you}{invited_by}</td><td>{email}</td>"
        f'<td data-testid="level">{viewer.level(member.role)}</td>'
        f'<td data-testid="status">{status}</td>'
        f"<td>{words['on'] if member.has_2fa else words['off']}</td>"
        f"<td>{viewer.time(member.created_at, with_time=False)}</td><td>{last_login}</td>"
        f'<td class="text-nowrap">{actions}</td></tr>\n'
    )


@register.simple_tag
def sort_header(headers, key):
    """<th> of a sortable member column: a link to its order, and aria-sort when it is the
    page's order (`headers` from people.views.sort_headers)."""
    heading, href, aria = headers[key]
    arrow, sort = "", ""
    if aria:
        sort = f' aria-sort="{e(aria)}"'
        arrow = f' <span aria-hidden="true">{"▲" if aria == "ascending" else "▼"}</span>'
    return mark_safe(  # noqa: S308 (heading and href went through e())
        f'<th scope="col"{sort}><a class="link-body-emphasis" href="{e(href)}">'
        f"{e(heading)}{arrow}</a></th>"
    )


@register.simple_tag(takes_context=True)
def member_rows(context, members):
    """<tr> per member (each with `actions` set by UsersView), or the empty-filter row."""
    viewer_id, viewer = context["request"].user.pk, _Viewer()
    if not members:
        return mark_safe(f'<tr><td colspan="9">{viewer.words["no_members"]}</td></tr>')  # noqa: S308
    rows = "".join(_member_row(member, viewer_id, viewer) for member in members)
    return mark_safe(rows)  # noqa: S308 (every value in a row went through e())


def _invitation_state(invitation, expired: bool, words) -> str:
    if expired:
        return f'<span class="badge text-bg-secondary">{words["expired"]}</span>'
    if invitation.delivery_failed:
        return f'<span class="badge text-bg-danger">{words["not_delivered"]}</span>'
    return words["sending"] if invitation.delivery_status == "queued" else words["pending"]


def _invitation_actions(invitation, expired: bool, email, urls, csrf_input, words) -> str:
    if urls is None:
        return ""
    kwargs = {"slug": invitation.account.slug, "invitation_id": invitation.pk}
    resend_url, cancel_url = (e(reverse(name, kwargs=kwargs)) for name in urls)
    urgent = expired or invitation.delivery_failed
    css = "btn-primary" if urgent else "btn-outline-secondary"
    return (
        f'<form method="post" action="{resend_url}" class="d-inline">{csrf_input}'
        f'<button type="submit" class="btn btn-sm {css}">{words["resend"]}'
        f'<span class="visually-hidden"> {words["invitation_to"]} {email}</span></button></form>'
        f' <a class="btn btn-sm btn-outline-danger" href="{cancel_url}">{words["cancel"]}'
        f'<span class="visually-hidden"> {words["invitation_to"]} {email}</span></a>'
    )


def _invitation_row(invitation, urls, csrf_input, viewer: _Viewer) -> str:
    email = e(invitation.email)
    expired = invitation.is_expired_at(viewer.now)
    words = viewer.words
    actions = _invitation_actions(invitation, expired, email, urls, csrf_input, words)
    invited_by = e(invitation.invited_by.display_name) if invitation.invited_by else words["none"]
    return (
        f'<tr data-invitation="{email}"><td>{email}</td>'
        f"<td>{viewer.level(invitation.role)}</td><td>{invited_by}</td>"
        f"<td>{viewer.time(invitation.created_at, with_time=False)}</td>"
        f"<td>{viewer.time(invitation.expires_at, with_time=True)}</td>"
        f'<td data-testid="invitation-state">{_invitation_state(invitation, expired, words)}</td>'
        f'<td class="text-nowrap">{actions}</td></tr>\n'
    )


@register.simple_tag(takes_context=True)
def invitation_rows(context, invitations, action_urls):
    """<tr> per pending invitation; `action_urls` is the (resend, cancel) URL names, or None
    when the viewer may not resend or cancel."""
    viewer = _Viewer()
    if not invitations:
        return mark_safe(f'<tr><td colspan="7">{viewer.words["no_invitations"]}</td></tr>')  # noqa: S308
    csrf_input = ""
    if action_urls:
        token = e(get_token(context["request"]))
        csrf_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    rows = "".join(_invitation_row(inv, action_urls, csrf_input, viewer) for inv in invitations)
    return mark_safe(rows)  # noqa: S308 (every value in a row went through e())

"""The Users page WITHOUT each hand-made mechanism, for `make bench` to weigh what each earns.

`/<page>/without/<mechanism>/` (bench/urls.py) serves `/<page>/` through a subclass of that
page's own view (found with `resolve()` at request time, so a view that moves between apps
is still the one measured) that does without one mechanism and changes nothing else:

  counts            the member and pending-invitation counts that triggers keep (MemberCount,
                    PendingInvitationCount, read by the Users page's `numbers()`): counted
                    with COUNT through the ORM instead.
  email_copy        `Membership.user_email`, the copy of the user's email that triggers keep,
                    ordered on the index membership_email_order (MEMBER_ORDER): ordered by
                    `user__email`, `pk` instead (a join).
  python_rows       the Users tables' rows and the page shell built in Python (the tags
                    member_rows, invitation_rows, shell_header_menus, shell_sidebar): the same
                    markup from Django templates (bench/templated_rows.py), cached loader.

(A fourth, the remembering static storage, was weighed here too and removed from the project:
the page met every target without it; bench/results of 2026-11-30.)

counts and email_copy swap one module global (the function, the ordering) for the length of
one request, under a process-wide
lock: gunicorn's sync workers serve one request at a time, and the lock keeps it so under any
other worker class. python_rows renders with a second template engine instead. No production
module knows about any of this.
"""

import functools
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from unittest import mock

from django.http import Http404
from django.urls import Resolver404, resolve

TEMPLATES = Path(__file__).resolve().parent / "templates"
_SWAP = threading.Lock()


@dataclass(frozen=True)
class Mechanism:
    name: str
    kept_by: str  # what the application does
    without: str  # what the variant does instead


MECHANISMS = {
    m.name: m
    for m in (
        Mechanism(
            "counts",
            "member and pending-invitation counts kept by triggers (MemberCount, "
            "PendingInvitationCount)",
            "COUNT through the ORM: members_page(...).count(), pending_invitations(...).count(), "
            "Invitation.objects.pending().count() for the seats",
        ),
        Mechanism(
            "email_copy",
            "Membership.user_email kept by triggers, ordered on index membership_email_order",
            "order by user__email, pk (a join)",
        ),
        Mechanism(
            "python_rows",
            "Users table rows and page shell built in Python",
            "the same markup from Django templates ({% for %} in inclusion tags, cached loader)",
        ),
    )
}


def variant_path(page_path: str, mechanism: str) -> str:
    """The URL of `page_path` (e.g. /a/acme/users/) without `mechanism`."""
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}")
    if not (page_path.startswith("/") and page_path.endswith("/")):
        raise ValueError(f"a page path starts and ends with a slash, not {page_path!r}")
    return f"{page_path}without/{mechanism}/"


def normalised_html(content: bytes) -> str:
    """A page's HTML for comparing a variant with the page: whitespace between and inside
    tags collapsed, and the CSRF token's per-render mask blanked."""
    text = content.decode()
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+"', r'\1"', text)
    text = re.sub(r">\s+<", "><", text)
    return re.sub(r"\s+", " ", text).strip()


def page_of(scenario: str) -> str:
    """The scenario of the page a variant scenario does without a mechanism:
    `without_counts_1000_first` -> `users_1000_first`."""
    if not scenario.startswith("without_"):
        raise ValueError(f"{scenario!r} is not a variant scenario")
    size, end = scenario.rsplit("_", 2)[1:]
    return f"users_{size}_{end}"


def without(request, page: str, mechanism: str):
    """The view of bench/urls.py's pattern: /<page>/ served without `mechanism`."""
    if mechanism not in MECHANISMS:
        raise Http404(f"no mechanism {mechanism!r}")
    try:
        match = resolve(f"/{page}")
    except Resolver404 as error:
        raise Http404(f"no page /{page}") from error
    view_class = getattr(match.func, "view_class", None)
    if view_class is None:
        raise Http404(f"/{page} is not served by a class-based view")
    return variant_view(view_class, mechanism)(request, *match.args, **match.kwargs)


@functools.cache
def variant_view(view_class, mechanism: str):
    """`view_class.as_view()` doing without `mechanism`."""
    base = _TemplatedRows if mechanism == "python_rows" else _Swapped
    attributes = {"mechanism": mechanism, "page_view": view_class, "__module__": __name__}
    variant = type(f"{view_class.__name__}Without_{mechanism}", (base, view_class), attributes)
    return variant.as_view()


class _Swapped:
    """Dispatches, and renders, with one module global replaced (SWAPS[mechanism])."""

    mechanism = ""
    page_view = None  # the page's own view class

    def dispatch(self, request, *args, **kwargs):
        module, name, replacement = swap(self.mechanism, self.page_view)
        with _SWAP, mock.patch.object(module, name, replacement):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # lazily rendered templates read the swapped global too
        return response


class _TemplatedRows:
    """Renders with `templated_engine()`: the page's templates, the rows' tags as templates."""

    mechanism = "python_rows"

    def render_to_response(self, context, **response_kwargs):
        response_kwargs.setdefault("content_type", self.content_type)
        return self.response_class(
            request=self.request,
            template=templated_engine().get_template(self.get_template_names()[0]),
            context=context,
            **response_kwargs,
        )


# --- Where each swapped global lives ---------------------------------------------------------


def module_reading(view_class, name: str) -> ModuleType:
    """The module whose global `name` the view reads: the view's own module, or the one
    module it imported that defines `name` (e.g. the Users page's `users_page`)."""
    view_module = sys.modules[view_class.__module__]
    if hasattr(view_module, name):
        return view_module
    found = {
        value
        for value in vars(view_module).values()
        if isinstance(value, ModuleType) and hasattr(value, name)
    }
    if len(found) != 1:
        raise LookupError(
            f"{view_class.__module__} reads {name!r} from {len(found)} modules, expected one"
        )
    return found.pop()


def _counts(view_class):
    """`numbers()` of the Users page, its totals counted by COUNT queries."""
    from invitations.models import Invitation
    from invitations.selectors import pending_invitations

    module = module_reading(view_class, "numbers")
    Numbers = module.Numbers

    def counted_numbers(account, member_filter, *, now=None):
        members = member_filter.members(account).count()  # members_page(...).count()
        everyone = module.MemberFilter().members(account).count() if member_filter else members
        pending = Invitation.objects.pending(now=now).filter(account=account).count()
        return Numbers(
            members=members,
            invitations=pending_invitations(account, q=member_filter.q).count(),
            seats_used=everyone + pending,
        )

    return module, "numbers", counted_numbers


def _email_copy(view_class):
    """MEMBER_ORDER where the Users page's `members_page` is defined, by the join instead."""
    members_page = module_reading(view_class, "numbers").members_page
    module = sys.modules[members_page.__module__]
    if getattr(module, "MEMBER_ORDER", None) is None:
        raise LookupError(f"{module.__name__} has no MEMBER_ORDER")
    return module, "MEMBER_ORDER", ("user__email", "pk")


SWAPS = {"counts": _counts, "email_copy": _email_copy}


@functools.cache
def swap(mechanism: str, view_class) -> tuple[ModuleType, str, object]:
    """(module, global name, replacement) that `view_class` does without `mechanism` by."""
    return SWAPS[mechanism](view_class)


# --- The templated-rows engine -----------------------------------------------------------------


@functools.cache
def templated_engine():
    """The project's Django template engine, except that the libraries defining the tags of
    bench.templated_rows load that module instead: every other template, tag and option is
    the project's own (the cached loader included)."""
    from django.conf import settings
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    from bench import templated_rows

    config = next(
        t
        for t in settings.TEMPLATES
        if t["BACKEND"] == "django.template.backends.django.DjangoTemplates"
    )
    project = engines[config.get("NAME", "django")].engine
    replaced = libraries_defining(project.template_libraries, templated_rows.TAGS)
    for library in replaced.values():  # their other tags and filters, unchanged
        for name, tag in library.tags.items():
            templated_rows.register.tags.setdefault(name, tag)
        for name, found in library.filters.items():
            templated_rows.register.filters.setdefault(name, found)
    options = dict(config.get("OPTIONS", {}))
    options["libraries"] = {
        **options.get("libraries", {}),
        **dict.fromkeys(replaced, "bench.templated_rows"),
    }
    params = {key: value for key, value in config.items() if key != "BACKEND"}
    return DjangoTemplates(
        {
            **params,
            "NAME": "bench_templated_rows",
            "DIRS": [*config.get("DIRS", []), TEMPLATES],
            "OPTIONS": options,
        }
    )


def libraries_defining(libraries: dict, tags) -> dict:
    """{load name: Library} of the libraries that define any of `tags`; every tag must be
    defined by one of them."""
    found = {name: lib for name, lib in libraries.items() if set(lib.tags) & set(tags)}
    missing = set(tags) - {tag for lib in found.values() for tag in lib.tags}
    if missing:
        raise LookupError(f"no template library defines {sorted(missing)}")
    return found

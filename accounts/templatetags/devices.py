"""`{{ user_agent|device }}`: "Chrome on Linux" for a session or a security email.

allauth keeps the raw User-Agent header. Naming browsers and systems from it takes a rule set
that must follow new releases, so it comes from ua-parser (the maintained Python port of
Browserscope's rules, the rules updated as the separate ua-parser-builtins package) rather than
from regular expressions written here.
"""

from django import template
from django.utils.translation import gettext as _
from ua_parser import parse

register = template.Library()


def _family(part) -> str | None:
    family = getattr(part, "family", None)
    return family if family and family != "Other" else None


@register.filter
def device(user_agent: str | None) -> str:
    result = parse(user_agent or "")
    browser, system = _family(result.user_agent), _family(result.os)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown browser")

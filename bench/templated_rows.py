"""The Users page's rows and the page shell as Django templates: mechanism (c)'s "without".

The same four tags the application builds in Python (`member_rows`, `invitation_rows`,
`shell_header_menus`, `shell_sidebar`), here as inclusion tags whose templates
(bench/templates/bench/*.html) write the same markup with `{% for %}`, `{% if %}`, `{% url %}`
and filters, as the pages did before the tags were rewritten in Python. Only
`bench.variants.templated_engine()` loads this library, under the names of the libraries that
define those tags, so the page templates themselves stay the application's.
"""

from django import template

register = template.Library()

TAGS = ("member_rows", "invitation_rows", "shell_header_menus", "shell_sidebar")


@register.inclusion_tag("bench/member_rows.html", takes_context=True)
def member_rows(context, members):
    return {"members": members, "viewer_id": context["request"].user.pk}


@register.inclusion_tag("bench/invitation_rows.html", takes_context=True)
def invitation_rows(context, invitations, action_urls):
    return {"invitations": invitations, "action_urls": action_urls}


@register.inclusion_tag("bench/shell_header_menus.html", takes_context=True)
def shell_header_menus(context):
    names = ("user", "switcher_memberships", "current_account", "current_membership")
    return {name: context.get(name) for name in names}


@register.inclusion_tag("bench/shell_sidebar.html", takes_context=True)
def shell_sidebar(context):
    return {"sidebar": context.get("sidebar"), "current_account": context.get("current_account")}

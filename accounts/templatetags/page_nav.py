"""`{% page_nav page_obj query label %}`: a list's Previous / Page N of M / Next navigation.

The Users page (members, invitations) and the Activity log wrote the same markup three times,
and on the Users page its ifs, page numbers and links cost the template engine about 0.6 ms,
more than the member query. Nothing is rendered for a single page. Page numbers are written
as plain integers (the template localized them; with no thousands separator, the same text).
"""

from django import template
from django.utils.safestring import mark_safe

from config.html import e

register = template.Library()


def _link(query: str, param: str, number: int, fragment: str, text: str) -> str:
    href = f"?{e(query)}&amp;" if query else "?"
    return (
        f'<li class="page-item"><a class="page-link" href="{href}{param}={number}{fragment}">'
        f"{text}</a></li>"
    )


@register.simple_tag
def page_nav(
    page, query, label, *, css="", param="page", previous="Previous", following="Next", fragment=""
) -> str:
    """`query`: the list's other parameters, URL-encoded (the filters); `param`: the page's
    own parameter; `previous` / `following`: the two links' words; `fragment`: where the links
    land (`#invitations`)."""
    pages = page.paginator.num_pages
    if pages <= 1:
        return ""
    param, fragment = e(param), e(fragment)
    items = []
    if page.has_previous():
        items.append(_link(query, param, page.previous_page_number(), fragment, e(previous)))
    items.append(
        '<li class="page-item active" aria-current="page">'
        f'<span class="page-link">Page {page.number} of {pages}</span></li>'
    )
    if page.has_next():
        items.append(_link(query, param, page.next_page_number(), fragment, e(following)))
    css = f' class="{e(css)}"' if css else ""
    return mark_safe(  # noqa: S308 (every value went through e(); numbers are ints)
        f'<nav aria-label="{e(label)}"{css}><ul class="pagination">{"".join(items)}</ul></nav>'
    )

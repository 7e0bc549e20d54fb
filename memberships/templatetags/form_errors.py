"""Every form's errors heard: the error summary at the top of a form and the "Error: " page
title (GOV.UK's error summary pattern, issue 17 item 13).

One mechanism for every form: crispy-forms renders `bootstrap5/errors.html` at the top of each
form it draws (`|crispy`, `{% crispy %}`, and allauth's `fields` element, which uses `|crispy`),
and templates/bootstrap5/errors.html calls `{% error_summary form %}`. A form's summary is drawn
once, where first asked: templates/_required_hint.html asks before its "Fields marked * are
required." line, so the summary stays the first thing of the form. base.html puts
`{% error_title_prefix %}` in front of every page title; it finds the forms in the page's
context, so no view or page template says anything about errors.
"""

from django import template
from django.contrib.messages import constants as message_levels
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def _has_errors(value) -> bool:
    """A bound form (or formset) that was submitted and did not validate. An unbound one has
    no errors and is not cleaned here."""
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and value.total_error_count() > 0
    return False


def _field_target(bound_field) -> str:
    """The id a summary link moves focus to: the field's input, or the first choice of a
    radio or checkbox group (whose label names no single input)."""
    return bound_field.id_for_label or f"{bound_field.auto_id}_0"


def summary_items(form) -> list[dict]:
    """The summary's entries in the order of the form: `text`, and `target` (an element id)
    when there is a field to go to. A form-wide error (a failed sign-in) points at the first
    visible field, where the person starts correcting it."""
    visible = [field for field in form.visible_fields() if field.auto_id]
    first = _field_target(visible[0]) if visible else ""
    items = [{"text": error, "target": first} for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [{"text": f"{field.label}: {error}", "target": ""} for error in field.errors]
    for field in visible:
        items += [{"text": error, "target": _field_target(field)} for error in field.errors]
    return items


# Set on a form whose summary the page already holds (one summary per form, see above).
DRAWN = "error_summary_drawn"


@register.inclusion_tag("_error_summary.html")
def error_summary(form):
    """The list of what is wrong with a submitted `form`, each entry a link to its field;
    nothing for a form without errors, or whose summary is already on the page."""
    if not _has_errors(form) or getattr(form, DRAWN, False):
        return {"items": []}
    setattr(form, DRAWN, True)
    return {"items": summary_items(form), "title": _("There is a problem")}


@register.simple_tag(takes_context=True)
def error_title_prefix(context) -> str:
    """ "Error: " when the page shows a submitted form with errors, or an error message (an
    action refused after a redirect: `messages.error`), else nothing. Reading the messages here
    leaves them to the page: a request's messages can be iterated more than once."""
    if any(_has_errors(value) for value in context.flatten().values()):
        return _("Error: ")
    if any(m.level >= message_levels.ERROR for m in context.get("messages", ())):
        return _("Error: ")
    return ""

"""What a form template needs to explain its own fields."""

from django import template

register = template.Library()


@register.filter
def has_required_fields(form) -> bool:
    """Whether crispy-forms marks any visible field of `form` with an asterisk, so the form
    should say once what the asterisk means."""
    return any(field.field.required and not field.is_hidden for field in form)

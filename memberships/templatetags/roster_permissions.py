from django import template

from memberships import access

register = template.Library()


@register.simple_tag(takes_context=True)
def has_permission(context, code, account=None):
    """{% has_permission "members.invite" as can_invite %} for the current member."""
    membership = context.get("membership") or getattr(context.get("request"), "membership", None)
    if account is None and membership is not None:
        return membership.can(code)
    request = context.get("request")
    return access.has_permission(getattr(request, "user", None), account, code)


@register.filter
def can(membership, code):
    """{% if membership|can:"members.invite" %}"""
    return membership is not None and membership.can(code)


@register.filter
def granted_to(permission, role):
    return permission.granted(role)

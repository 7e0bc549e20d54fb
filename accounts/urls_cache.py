"""reverse() remembered: a URL depends only on the URLconf, the script prefix, the view name and
its arguments, none of which change while a process serves requests.

An account page reverses about 30 URLs (header, sidebar, row actions), and on the Users page
that was about a tenth of the server's time (`make bench`). `cached_reverse` is reverse()
with a bounded memory of answers; `{% load cached_url %}` gives templates the same `{% url %}`.
Tests that swap ROOT_URLCONF clear it, as Django clears its own URL caches.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString


@lru_cache(maxsize=4096)
def _reverse(urlconf, prefix, view_name, args, kwargs, current_app):
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


# Exact types: True == 1 and a str-based enum == its value as keys, yet reverse() writes them
# differently ("True", the enum's str()). SafeString writes as its value: a template's quoted
# literals ('overview') are SafeStrings, so without it no `{% url %}` was ever remembered.
_TEXT_TYPES = (str, SafeString)
_REMEMBERED_TYPES = (*_TEXT_TYPES, int)


def _hashable(values) -> bool:
    return all(type(value) in _REMEMBERED_TYPES for value in values)


def cached_reverse(view_name, *, args=(), kwargs=None, current_app=None) -> str:
    """reverse(), answered from memory when every argument is a string or a number."""
    kwargs = kwargs or {}
    if not (type(view_name) in _TEXT_TYPES and _hashable(args) and _hashable(kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(
        get_urlconf(),
        get_script_prefix(),
        view_name,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
    )


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _reverse.cache_clear()

"""accounts.urls_cache: reverse() from memory, and `{% load cached_url %}`'s `{% url %}`."""

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse

from accounts.urls_cache import _reverse, cached_reverse


def _elsewhere(request):  # pragma: no cover - only reversed, never called
    raise AssertionError


urlpatterns = [path("somewhere-else/<slug:slug>/", _elsewhere, name="overview")]


def test_answers_what_reverse_answers_and_remembers():
    _reverse.cache_clear()
    for _ in range(3):
        assert cached_reverse("overview", kwargs={"slug": "acme"}) == reverse(
            "overview", kwargs={"slug": "acme"}
        )
    assert _reverse.cache_info().hits == 2


def test_forgets_when_the_urlconf_changes():
    before = cached_reverse("overview", kwargs={"slug": "acme"})
    with override_settings(ROOT_URLCONF=__name__):
        assert cached_reverse("overview", kwargs={"slug": "acme"}) == "/somewhere-else/acme/"
    assert cached_reverse("overview", kwargs={"slug": "acme"}) == before


def test_unknown_names_still_raise():
    with pytest.raises(NoReverseMatch):
        cached_reverse("no-such-page")


def test_template_tag_renders_as_the_builtin_tag_does():
    text = (
        "{% url 'overview' slug=s %}|{% url 'memberships:users' s %}|{% url 'nope' as x %}[{{ x }}]"
    )
    builtin = Template(text).render(Context({"s": "a-b"}))
    cached = Template("{% load cached_url %}" + text).render(Context({"s": "a-b"}))
    assert cached == builtin
    assert "/a/a-b/users/" in cached and "[]" in cached


def test_template_tags_are_answered_from_memory():
    """A template's quoted literals are SafeStrings: they must not bypass the memory."""
    template = Template("{% load cached_url %}{% url 'overview' slug=s %}|{% url 'overview' 'x' %}")
    _reverse.cache_clear()
    for _ in range(3):
        assert template.render(Context({"s": "acme"})) == "/a/acme/|/a/x/"
    assert _reverse.cache_info().misses == 2
    assert _reverse.cache_info().hits == 4


def test_values_that_write_differently_are_not_confused():
    from enum import StrEnum

    class Slug(StrEnum):
        ACME = "acme"

        def __str__(self):
            return "not-acme"

    assert cached_reverse("overview", kwargs={"slug": "acme"}) == "/a/acme/"
    assert cached_reverse("overview", kwargs={"slug": Slug.ACME}) == reverse(
        "overview", kwargs={"slug": Slug.ACME}
    )
    assert cached_reverse("memberships:edit_level", kwargs={"slug": "a", "member_id": 1}) != (
        cached_reverse("memberships:edit_level", kwargs={"slug": "a", "member_id": 2})
    )


def test_the_script_prefix_is_part_of_the_answer():
    from django.urls import set_script_prefix

    try:
        set_script_prefix("/roster/")
        assert cached_reverse("overview", kwargs={"slug": "acme"}) == "/roster/a/acme/"
    finally:
        set_script_prefix("/")
    assert cached_reverse("overview", kwargs={"slug": "acme"}) == "/a/acme/"

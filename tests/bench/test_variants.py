"""bench/variants.py: the Users page without each hand-made mechanism is the same page.

Each variant must change how the page is made, never what it shows: same rows, same numbers,
same markup (up to whitespace and the per-render CSRF mask), so that `make bench` compares
like with like.
"""

from datetime import timedelta

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import User
from bench import loader, variants
from invitations.models import Invitation, InvitationStatus

pytestmark = pytest.mark.django_db

PAGES = ("", "?page=3", "?q=m0001", "?level=author", "?status=suspended", "?inv_page=2")


@pytest.fixture
def bench_site(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    info = loader.load(sizes=(10, 60), invite_accounts=1, events=5)
    largest = info["sizes"][60]
    # Invitations past their expiry, expired, and expired but replaced: the numbers differ.
    pending = Invitation.objects.filter(account_id=largest["pk"]).order_by("pk")
    Invitation.objects.filter(pk=pending[0].pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    Invitation.objects.filter(pk=pending[1].pk).update(status=InvitationStatus.EXPIRED)
    client.force_login(User.objects.get(email=loader.ADMIN_EMAIL))
    variants.swap.cache_clear()
    yield info
    variants.swap.cache_clear()


@pytest.mark.parametrize("mechanism", ["counts", "email_copy", "python_rows"])
def test_the_users_page_without_a_mechanism_shows_the_same_page(client, bench_site, mechanism):
    for size in (10, 60):
        base = f"/a/{bench_site['sizes'][size]['slug']}/users/"
        for query in PAGES:
            real = client.get(f"{base}{query}")
            variant = client.get(f"{variants.variant_path(base, mechanism)}{query}")

            assert real.status_code == variant.status_code == 200
            assert variants.normalised_html(variant.content) == variants.normalised_html(
                real.content
            ), (size, query)
            assert real.content.count(b"data-member=") == variant.content.count(b"data-member=")


def test_without_python_rows_the_rows_come_from_templates(client, bench_site):
    base = f"/a/{bench_site['sizes'][60]['slug']}/users/"
    real = client.get(base).content.decode()
    templated = client.get(variants.variant_path(base, "python_rows")).content.decode()

    # The Python tags write one line per row; the templates keep their own line breaks.
    assert '</td></tr>\n<tr data-member="' in real
    assert '</td></tr>\n<tr data-member="' not in templated
    assert templated.count("data-member=") == real.count("data-member=") == 25


def test_without_counts_the_numbers_are_counted_not_read(client, bench_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    base = f"/a/{bench_site['sizes'][60]['slug']}/users/"
    with CaptureQueriesContext(connection) as real:
        client.get(base)
    with CaptureQueriesContext(connection) as counted:
        client.get(variants.variant_path(base, "counts"))

    def kept(queries):
        return [q["sql"] for q in queries if "membercount" in q["sql"].lower()]

    assert kept(real) and not kept(counted)
    assert sum("COUNT(" in q["sql"].upper() for q in counted) >= 3


def test_without_email_copy_members_are_ordered_through_the_user(client, bench_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    base = f"/a/{bench_site['sizes'][60]['slug']}/users/"
    with CaptureQueriesContext(connection) as queries:
        client.get(variants.variant_path(base, "email_copy"))

    ordered = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "membership" in q["sql"]]
    assert ordered
    assert all('"user_email"' not in sql.split("ORDER BY")[-1] for sql in ordered)


def test_a_variant_asks_what_the_page_asks_before_showing_anything(client, bench_site, settings):
    base = f"/a/{bench_site['sizes'][10]['slug']}/users/"
    client.logout()
    for mechanism in variants.MECHANISMS:
        real = client.get(base)
        variant = client.get(variants.variant_path(base, mechanism))
        assert real.status_code == variant.status_code == 302
        assert "/accounts/login/" in variant["Location"]


def test_variant_urls_resolve_to_the_page_they_name(settings):
    settings.ROOT_URLCONF = "bench.urls"
    path = variants.variant_path("/a/acme/users/", "counts")

    match = resolve(path)

    assert path == "/a/acme/users/without/counts/"
    assert match.url_name == "bench_without"
    assert match.kwargs == {"page": "a/acme/users/", "mechanism": "counts"}
    with pytest.raises(Resolver404):
        resolve("/a/acme/users/without/counts")  # no trailing slash: no variant


def test_variant_path_refuses_unknown_mechanisms_and_bare_paths():
    with pytest.raises(ValueError):
        variants.variant_path("/a/acme/users/", "caching")
    with pytest.raises(ValueError):
        variants.variant_path("a/acme/users", "counts")


def test_unknown_mechanisms_pages_and_function_views_are_not_found(client, bench_site):
    base = f"/a/{bench_site['sizes'][10]['slug']}/users/"
    assert client.get(f"{base}without/caching/").status_code == 404
    assert client.get("/no/such/page/without/counts/").status_code == 404
    assert client.get("/bench/hello/without/counts/").status_code == 404


def test_every_mechanism_is_measured_on_a_different_scenario_name():
    names = {f"without_{name}" for name in variants.MECHANISMS}
    assert len(names) == len(variants.MECHANISMS) == 3
    assert set(variants.SWAPS) | {"python_rows"} == set(variants.MECHANISMS)


def test_libraries_defining_finds_each_tag_or_says_which_is_missing():
    from django import template

    rows, shell, other = template.Library(), template.Library(), template.Library()
    rows.simple_tag(lambda: "", name="member_rows")
    shell.simple_tag(lambda: "", name="shell_sidebar")
    other.simple_tag(lambda: "", name="page_nav")
    libraries = {"rows": rows, "shell": shell, "other": other}

    assert variants.libraries_defining(libraries, ["member_rows", "shell_sidebar"]) == {
        "rows": rows,
        "shell": shell,
    }
    with pytest.raises(LookupError, match="invitation_rows"):
        variants.libraries_defining(libraries, ["member_rows", "invitation_rows"])


def test_the_project_defines_every_tag_the_templated_rows_replace():
    from django.template import engines

    from bench import templated_rows

    libraries = engines["django"].engine.template_libraries
    assert variants.libraries_defining(libraries, templated_rows.TAGS)


def test_module_reading_finds_the_users_page_module_the_view_calls(settings):
    settings.ROOT_URLCONF = "bench.urls"
    view_class = resolve("/a/acme/users/").func.view_class

    module = variants.module_reading(view_class, "numbers")

    assert callable(module.numbers)
    with pytest.raises(LookupError):
        variants.module_reading(view_class, "no_such_global")


def test_normalised_html_ignores_whitespace_and_the_csrf_mask_only():
    one = b'<tr>\n  <td>a  b</td>\n</tr><input name="csrfmiddlewaretoken" value="x1">'
    two = b'<tr><td>a b</td></tr>\n<input name="csrfmiddlewaretoken" value="y2">'
    three = b"<tr><td>ab</td></tr>"

    assert variants.normalised_html(one) == variants.normalised_html(two)
    assert variants.normalised_html(one) != variants.normalised_html(three)


def test_each_variant_scenario_names_the_page_it_is_compared_with():
    assert variants.page_of("without_email_copy_100000_last") == "users_100000_last"
    assert variants.page_of("without_counts_10_first") == "users_10_first"
    with pytest.raises(ValueError):
        variants.page_of("users_10_first")

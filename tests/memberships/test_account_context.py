"""A non-member gets 404 on every /a/<slug>/ URL of another account."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PUBLIC_ACCOUNT_URLS = {"a/<slug:slug>/login/"}


def account_url_patterns():
    """Every URL pattern under /a/<slug>/, with placeholder values for other parameters."""

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("a/<slug:slug>/"):
                yield route

    return sorted(set(walk(get_resolver().url_patterns)) - PUBLIC_ACCOUNT_URLS)


def fill(route: str, slug: str) -> str:
    import re

    path = route.replace("<slug:slug>", slug)
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<(uuid:)?[^>]+>", "00000000-0000-0000-0000-000000000001", path)
    return "/" + path


def test_there_are_account_urls_to_check():
    assert "a/<slug:slug>/" in account_url_patterns()


@pytest.mark.parametrize("method", ["get", "post"])
def test_non_member_gets_404_on_every_account_url(client_for, method):
    mine = MembershipFactory(role="owner")
    theirs = MembershipFactory(role="owner")
    client = client_for(mine.user)
    for route in account_url_patterns():
        url = fill(route, theirs.account.slug)
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"


def test_suspended_member_is_told_they_are_suspended_and_shown_nothing_else(client_for):
    membership = MembershipFactory(role="viewer", status="suspended")
    account = membership.account
    client = client_for(membership.user)
    response = client.get(f"/a/{account.slug}/")
    assert response.status_code == 403
    body = response.content.decode()
    assert f"Your access to {account.name} is suspended" in body
    assert f"ask an Admin of {account.name}" in body
    assert b'href="/a/' + account.slug.encode() + b"/users/" not in response.content
    # The chooser lists the account, greyed, with the same advice; not "not a member".
    chooser = client.get("/accounts/choose/").content.decode()
    assert f'data-suspended="{account.slug}"' in chooser
    assert f"Your access is suspended — ask an Admin of {account.name}." in chooser
    assert "You are not a member of any account yet" not in chooser


def test_a_non_member_learns_nothing_from_a_suspended_members_page(client_for):
    membership = MembershipFactory(role="viewer", status="suspended")
    stranger = MembershipFactory(role="owner").user
    response = client_for(stranger).get(f"/a/{membership.account.slug}/")
    assert response.status_code == 404
    assert membership.account.name.encode() not in response.content


def test_unknown_account_is_404_like_a_foreign_one(client_for):
    membership = MembershipFactory(role="owner")
    assert client_for(membership.user).get("/a/no-such-account/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    membership = MembershipFactory(role="owner")
    response = client.get(f"/a/{membership.account.slug}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_revisiting_the_overview_does_not_write_the_session(client_for, account, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(members["viewer"].user)
    client.get(f"/a/{account.slug}/")  # the first visit remembers the account
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/a/{account.slug}/")
    assert response.status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert writes == []


def test_a_person_with_no_account_creates_one_from_the_chooser_and_owns_it(client_for):
    """Issue 17 item 3: nobody signed in is stranded without an account."""
    from django.urls import reverse

    from accounts.models import Account
    from memberships.models import Membership
    from tests.factories import UserFactory

    person = UserFactory()
    client = client_for(person)
    chooser = client.get(reverse("account_chooser")).content.decode()
    create_url = reverse("account_create")
    assert f'href="{create_url}"' in chooser
    assert "sign up to create your own" not in chooser
    page = client.get(create_url)
    assert page.status_code == 200
    assert f'href="{create_url}"' in page.content.decode()  # the account menu offers it too
    refused = client.post(create_url, {"name": " \u0007 "})
    assert refused.status_code == 200 and refused.context["form"].errors["name"]
    assert not Account.objects.exists()
    response = client.post(create_url, {"name": "Side Project"})
    account = Account.objects.get(name="Side Project")
    assert response["Location"] == reverse("overview", kwargs={"slug": account.slug})
    assert Membership.objects.get(account=account).role == "owner"
    assert Membership.objects.get(account=account).user == person

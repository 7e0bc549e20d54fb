"""The Users page's search across both tables, column sorts, CSV export and "Invited by"
(issue 17, item 8)."""

import csv
import io
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RANK
from memberships.models import Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SORTS = ["name", "email", "level", "joined", "last_login"]


def users_url(account, **params):
    url = reverse("people:users", args=[account.slug])
    return f"{url}?{urlencode(params)}" if params else url


def export_url(account, **params):
    url = reverse("people:users_export", args=[account.slug])
    return f"{url}?{urlencode(params)}" if params else url


def member_emails(body: str) -> list[str]:
    return re.findall(r'<tr data-member="([^"]+)"', body)


def invitation_emails(body: str) -> list[str]:
    return re.findall(r'<tr data-invitation="([^"]+)"', body)


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def team():
    """An account whose members differ in every sortable column (names and emails of plain
    letters, so every database collation agrees with Python's order), two viewers tied on
    level, one member who never logged in."""
    account = AccountFactory(plan="premium")
    now = timezone.now()
    people = [
        # first, last, email, level, joined days ago, last login days ago (None: never)
        ("Olga", "Zimmer", "oscar@corp.test", "owner", 50, 3),
        ("Mia", "Adams", "delta@corp.test", "admin", 40, 1),
        ("Bea", "Young", "kilo@corp.test", "manager", 10, None),
        ("Carl", "Brown", "alpha@corp.test", "author", 30, 7),
        ("Dan", "Evans", "bravo@corp.test", "viewer", 20, 2),
        ("Abe", "Quinn", "zulu@corp.test", "viewer", 5, 9),
    ]
    members = {}
    for first, last, email, level, joined, login in people:
        user = UserFactory(
            first_name=first,
            last_name=last,
            email=email,
            last_login=None if login is None else now - timedelta(days=login),
        )
        members[email] = MembershipFactory(
            account=account, user=user, role=level, created_at=now - timedelta(days=joined)
        )
    return account, members


def expected_order(members, sort):
    rows = list(members.values())
    never = timezone.now() - timedelta(days=10_000)
    keys = {
        "name": lambda m: (m.user.first_name, m.user.last_name, m.user.email, m.pk),
        "email": lambda m: (m.user.email, m.pk),
        "level": lambda m: (-RANK[m.role], m.user.email, m.pk),
        "joined": lambda m: (m.created_at, m.pk),
        "last_login": lambda m: (m.user.last_login or never, m.user.email, m.pk),
    }
    return [m.user.email for m in sorted(rows, key=keys[sort])]


# --- (a) the search narrows the invitations too ----------------------------------------------


def test_search_narrows_the_pending_invitations_by_email(client_for, account, members):
    InvitationFactory(account=account, email="carol@corp.test")
    InvitationFactory(account=account, email="dave@elsewhere.test")
    client = client_for(members["admin"].user)
    response = client.get(users_url(account, q="CAROL"))
    body = response.content.decode()
    assert invitation_emails(body) == ["carol@corp.test"]
    assert response.context["invitations_page"].paginator.count == 1
    everyone = client.get(users_url(account)).content.decode()
    assert set(invitation_emails(everyone)) == {"carol@corp.test", "dave@elsewhere.test"}


def test_searched_invitations_are_counted_and_paged_under_the_search(client_for, account, members):
    InvitationFactory.create_batch(30, account=account)  # invitee<n>@example.test
    InvitationFactory(account=account, email="someone@elsewhere.test")
    client = client_for(members["admin"].user)
    response = client.get(users_url(account, q="invitee"))
    page = response.context["invitations_page"]
    assert page.paginator.count == 30 and page.paginator.num_pages == 2
    body = response.content.decode()
    assert "someone@elsewhere.test" not in body
    assert 'href="?q=invitee&amp;inv_page=2#invitations">Next</a>' in body
    second = client.get(users_url(account, q="invitee", inv_page=2))
    assert len(invitation_emails(second.content.decode())) == 5


# --- (b) column sorts ------------------------------------------------------------------------


@pytest.mark.parametrize("sort", SORTS)
def test_each_column_sorts_both_ways(client_for, team, sort):
    account, members = team
    client = client_for(members["delta@corp.test"].user)
    expected = expected_order(members, sort)
    assert member_emails(client.get(users_url(account, sort=sort)).content.decode()) == expected
    descending = client.get(users_url(account, sort=f"-{sort}")).content.decode()
    assert member_emails(descending) == expected[::-1]


def test_sort_headers_link_each_column_and_mark_the_active_one(client_for, team):
    account, members = team
    client = client_for(members["delta@corp.test"].user)
    body = client.get(users_url(account, q="corp", sort="joined", page=1)).content.decode()
    assert body.count("aria-sort=") == 1
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a [^>]*href="\?q=corp&amp;sort=-joined">Joined',
        body,
    )
    for key in ("name", "email", "level", "last_login"):
        assert f'href="?q=corp&amp;sort={key}"' in body
    descending = client.get(users_url(account, sort="-joined")).content.decode()
    assert (
        '<th scope="col" aria-sort="descending"><a class="link-body-emphasis" href="?sort=joined">'
        in descending
    )
    default = client.get(users_url(account)).content.decode()
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a [^>]*href="\?sort=-email">Email', default
    )


@pytest.mark.parametrize("sort", ["name", "-joined", "level", "-last_login"])
def test_pagination_keeps_the_sort_and_the_filter(client_for, team, sort):
    account, members = team
    now = timezone.now()
    for i in range(30):
        user = UserFactory(
            first_name=f"Pat{chr(97 + i % 26)}",
            last_name="Many",
            email=f"many{chr(97 + i % 26)}{chr(97 + i // 26)}@corp.test",
            last_login=now - timedelta(hours=i),
        )
        MembershipFactory(
            account=account, user=user, role="viewer", created_at=now - timedelta(hours=i)
        )
    members = {
        m.user.email: m for m in Membership.objects.filter(account=account).select_related("user")
    }
    client = client_for(members["delta@corp.test"].user)
    first = client.get(users_url(account, q="corp", sort=sort)).content.decode()
    assert f'href="?q=corp&amp;sort={sort}&amp;page=2">Next</a>' in first
    second = client.get(users_url(account, q="corp", sort=sort, page=2)).content.decode()
    assert f'href="?q=corp&amp;sort={sort}&amp;page=1">Previous</a>' in second
    key = sort.removeprefix("-")
    expected = expected_order(members, key)
    if sort.startswith("-"):
        expected.reverse()
    assert member_emails(first) + member_emails(second) == expected
    # the filter form keeps the sort when the search changes
    assert f'<input type="hidden" name="sort" value="{sort}"' in first


# --- (c) CSV export --------------------------------------------------------------------------


def test_csv_export_has_the_filtered_members_in_the_page_order(client_for, team):
    account, members = team
    client = client_for(members["oscar@corp.test"].user)
    page = client.get(users_url(account, level="viewer", sort="-email")).content.decode()
    assert (
        f'href="{export_url(account, level="viewer", sort="-email").replace("&", "&amp;")}"' in page
    )
    response = client.get(export_url(account, level="viewer", sort="-email"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{account.slug}-members.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "Name",
        "Email",
        "Level",
        "Status",
        "2FA",
        "Joined",
        "Last login",
        "Invited by",
        "Access until",
    ]
    assert [row[1] for row in rows[1:]] == ["zulu@corp.test", "bravo@corp.test"]
    dan = rows[2]
    assert dan[0] == "Dan Evans" and dan[2] == "Viewer" and dan[3] == "Active" and dan[4] == "Off"
    joined = members["bravo@corp.test"].created_at.date().isoformat()
    assert dan[5] == joined and dan[6].startswith(
        members["bravo@corp.test"].user.last_login.isoformat()[:16]
    )
    everyone = csv_rows(client.get(export_url(account)))
    assert [row[1] for row in everyone[1:]] == expected_order(members, "email")


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_export_guards_cells_that_a_spreadsheet_would_run(client_for, team, start):
    account, members = team
    user = members["zulu@corp.test"].user
    user.first_name, user.last_name = f'{start}HYPERLINK("http://x.test")', "Evil"
    user.save()
    client = client_for(members["oscar@corp.test"].user)
    rows = csv_rows(client.get(export_url(account, q="zulu")))
    assert len(rows) == 2
    assert rows[1][0] == f'\'{start}HYPERLINK("http://x.test") Evil'
    assert rows[1][1] == "zulu@corp.test"


@pytest.mark.parametrize("level", ["manager", "author", "viewer"])
def test_csv_export_is_refused_below_admin(client_for, account, members, level):
    response = client_for(members[level].user).get(export_url(account))
    assert response.status_code == 403
    assert not response.streaming


def test_csv_export_is_for_owners_and_admins(client_for, account, members):
    for level in ("owner", "admin"):
        rows = csv_rows(client_for(members[level].user).get(export_url(account)))
        assert {row[1] for row in rows[1:]} == {m.user.email for m in members.values()}


def test_csv_export_of_another_account_is_not_found(client_for, account, members, other_account):
    response = client_for(members["owner"].user).get(export_url(other_account))
    assert response.status_code == 404


# --- (d) invited by --------------------------------------------------------------------------


def accepted_invitation(account, membership, inviter, **kwargs):
    return InvitationFactory(
        account=account,
        email=membership.user.email,
        invited_by=inviter,
        status="accepted",
        responded_at=timezone.now(),
        **kwargs,
    )


def test_members_show_who_invited_them(client_for, team):
    account, members = team
    inviter = UserFactory(first_name="Ina", last_name="Viter")
    accepted_invitation(account, members["bravo@corp.test"], inviter)
    # another account's invitation, and one to the right account that was never accepted
    accepted_invitation(AccountFactory(), members["kilo@corp.test"], inviter)
    InvitationFactory(
        account=account, email="alpha@corp.test", invited_by=inviter, status="declined"
    )
    nameless = UserFactory(first_name="", last_name="", email="nameless@corp.test")
    accepted_invitation(account, members["zulu@corp.test"], nameless)
    client = client_for(members["oscar@corp.test"].user)
    body = client.get(users_url(account)).content.decode()
    rows = dict(re.findall(r'<tr data-member="([^"]+)">(.*?)</tr>', body))
    assert "Invited by Ina Viter" in rows["bravo@corp.test"]
    assert "Invited by nameless@corp.test" in rows["zulu@corp.test"]
    for email in ("kilo@corp.test", "alpha@corp.test", "oscar@corp.test"):
        assert "Invited by" not in rows[email]
    exported = {row[1]: row[7] for row in csv_rows(client.get(export_url(account)))[1:]}
    assert exported["bravo@corp.test"] == "Ina Viter" and exported["kilo@corp.test"] == ""


def test_invited_by_is_escaped(client_for, team):
    account, members = team
    inviter = UserFactory(first_name="<b>Ina</b>", last_name="O'Neil")
    accepted_invitation(account, members["bravo@corp.test"], inviter)
    body = client_for(members["oscar@corp.test"].user).get(users_url(account)).content.decode()
    assert "Invited by &lt;b&gt;Ina&lt;/b&gt; O&#x27;Neil" in body
    assert "<b>Ina</b>" not in body


def page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_count_is_the_same_at_two_sizes_with_inviters_sorts_and_search(client_for, team):
    account, members = team
    client = client_for(members["oscar@corp.test"].user)
    inviter = members["oscar@corp.test"].user

    def grow(count):
        for _ in range(count):
            membership = MembershipFactory(account=account, role="viewer")
            accepted_invitation(account, membership, inviter)
            InvitationFactory(account=account)

    urls = [
        users_url(account),
        users_url(account, page=2),
        users_url(account, q="example", sort="-name"),
        *(users_url(account, sort=sort) for sort in SORTS),
        users_url(account, sort="-last_login", level="viewer", page=2),
    ]
    grow(5)
    client.get(users_url(account))  # warm the session
    small = [page_queries(client, url) for url in urls]
    grow(60)
    large = [page_queries(client, url) for url in urls]
    assert small == large
    assert max(large) <= 6  # session, user, memberships, numbers, members, invitations
    body = client.get(users_url(account, page=2)).content.decode()
    assert body.count("Invited by Olga Zimmer") == 25

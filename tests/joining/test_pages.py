"""Requests to join through the pages: the join link (nothing shown to strangers), the
settings page, the Users page section and the approve and deny pages; other accounts 404,
lower levels 403."""

import pytest
from django.test import Client
from django.urls import reverse

from joining.models import JoinLink, JoinRequest
from memberships.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def account_url(name, account, **kwargs):
    return reverse(name, kwargs={"slug": account.slug, **kwargs})


def open_link(client, link_or_token):
    token = getattr(link_or_token, "token", link_or_token)
    return client.get(reverse("joining:token", args=[token]), follow=True)


@pytest.fixture
def asked(client_for, link):
    """A person who asked through the join link, and their request."""
    person = UserFactory(first_name="Ada", last_name="Lovelace")
    client = client_for(person)
    open_link(client, link)
    client.post(reverse("joining:join"), {"action": "send", "note": "From the newsletter team."})
    return person, JoinRequest.objects.get(user=person)


# --- the join link ---------------------------------------------------------------------------


def test_the_join_link_reveals_nothing_to_someone_not_signed_in(link, open_account):
    answers = []
    for token in (link.token, "not-a-token"):
        response = open_link(Client(), token)
        answers.append((response.status_code, response.redirect_chain))
        assert open_account.name not in response.content.decode()
    assert answers[0] == answers[1]
    assert answers[0][1][-1][0].startswith(reverse("account_login"))


def test_a_wrong_or_switched_off_link_is_the_same_404_page(client_for, link, open_account, members):
    client = client_for(UserFactory())
    wrong = open_link(client, "not-a-token")
    assert wrong.status_code == 404
    open_account.join_requests_enabled = False
    open_account.save()
    off = open_link(client, link)
    assert off.status_code == 404
    assert wrong.content == off.content
    assert open_account.name not in off.content.decode()


def test_a_signed_in_person_asks_with_a_note_and_withdraws(client_for, link, open_account):
    person = UserFactory()
    client = client_for(person)
    page = open_link(client, link)
    assert page.status_code == 200
    assert f"Ask to join {open_account.name}" in page.content.decode()
    assert link.token not in page.content.decode()  # the token left the address bar
    response = client.post(reverse("joining:join"), {"action": "send", "note": "Hello"})
    assert response.status_code == 302
    request = JoinRequest.objects.get(user=person, account=open_account)
    assert (request.note, request.status) == ("Hello", "pending")
    assert "Withdraw my request" in client.get(reverse("joining:join")).content.decode()
    client.post(reverse("joining:join"), {"action": "withdraw"})
    assert JoinRequest.objects.get(pk=request.pk).status == "withdrawn"


@pytest.mark.parametrize(
    "note", ["bad\x00note", "escape\x1b[31m", "x" * 501], ids=["nul", "escape", "too-long"]
)
def test_a_bad_note_is_refused_next_to_the_field(client_for, link, note):
    client = client_for(UserFactory())
    open_link(client, link)
    response = client.post(reverse("joining:join"), {"action": "send", "note": note})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    assert not JoinRequest.objects.exists()


def test_a_multi_line_note_is_accepted(client_for, link):
    client = client_for(UserFactory())
    open_link(client, link)
    client.post(reverse("joining:join"), {"action": "send", "note": "Line one\r\nLine two"})
    assert JoinRequest.objects.get().note == "Line one\r\nLine two"


@pytest.mark.parametrize("status", ["active", "suspended"])
def test_members_cannot_ask_through_the_link(client_for, link, members, status):
    viewer = members["viewer"]
    viewer.status = status
    viewer.save()
    client = client_for(viewer.user)
    page = open_link(client, link).content.decode()
    assert ("already a member" if status == "active" else "is suspended") in page
    assert "Send request" not in page
    client.post(reverse("joining:join"), {"action": "send", "note": ""})
    assert not JoinRequest.objects.exists()
    assert Membership.objects.get(pk=viewer.pk).status == status


# --- settings --------------------------------------------------------------------------------


def test_the_settings_page_turns_requests_on_and_shows_and_renews_the_link(
    client_for, account, members
):
    client = client_for(members["admin"].user)
    settings_url = account_url("join_requests:settings", account)
    index = client.get(account_url("account_settings:index", account)).content.decode()
    assert settings_url in index
    assert 'data-testid="join-link"' not in client.get(settings_url).content.decode()
    client.post(settings_url, {"enabled": "on"})
    link = JoinLink.objects.get(account=account)
    page = client.get(settings_url).content.decode()
    assert reverse("joining:token", args=[link.token]) in page
    client.post(account_url("join_requests:regenerate", account))
    assert JoinLink.objects.get(account=account).token != link.token
    client.post(settings_url, {"enabled": "off"})
    account.refresh_from_db()
    assert account.join_requests_enabled is False


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_lower_levels_get_403_on_the_settings(client_for, account, members, role):
    client = client_for(members[role].user)
    for name in ("join_requests:settings", "join_requests:regenerate"):
        assert client.get(account_url(name, account)).status_code in (403, 405)
        assert client.post(account_url(name, account), {"enabled": "on"}).status_code == 403
    account.refresh_from_db()
    assert account.join_requests_enabled is False


def test_another_accounts_members_get_404_everywhere(
    client_for, open_account, asked, other_account
):
    _person, request = asked
    client = client_for(other_account.memberships.get(role="owner").user)
    urls = [
        account_url("join_requests:settings", open_account),
        account_url("join_requests:regenerate", open_account),
        account_url("join_requests:approve", open_account, request_id=request.pk),
        account_url("join_requests:deny", open_account, request_id=request.pk),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"enabled": "off", "level": "admin"}).status_code == 404
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"
    # Nor can they answer it through their own account's pages.
    foreign = account_url("join_requests:approve", other_account, request_id=request.pk)
    client.post(foreign, {"level": "viewer"})
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


# --- answering on the Users page --------------------------------------------------------------


def test_the_users_page_lists_pending_requests_with_approve_and_deny(
    client_for, open_account, members, asked
):
    person, request = asked
    body = client_for(members["admin"].user).get(account_url("people:users", open_account))
    body = body.content.decode()
    assert "Requests to join" in body and person.email in body
    assert "From the newsletter team." in body
    assert account_url("join_requests:approve", open_account, request_id=request.pk) in body


def test_an_admin_approves_at_author(client_for, open_account, members, asked):
    person, request = asked
    client = client_for(members["admin"].user)
    url = account_url("join_requests:approve", open_account, request_id=request.pk)
    page = client.get(url).content.decode()
    assert 'value="admin"' in page and 'value="owner"' not in page
    forged = client.post(url, {"level": "owner"})
    assert forged.status_code == 200 and forged.context["form"].errors["level"]
    response = client.post(url, {"level": "author"})
    assert response.status_code == 302
    assert Membership.objects.get(account=open_account, user=person).role == "author"
    # The new member reaches the account.
    assert client_for(person).get(account_url("overview", open_account)).status_code == 200


def test_an_owner_denies(client_for, open_account, members, asked):
    person, request = asked
    client = client_for(members["owner"].user)
    url = account_url("join_requests:deny", open_account, request_id=request.pk)
    assert "Deny the request" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert JoinRequest.objects.get(pk=request.pk).status == "denied"
    assert not Membership.objects.filter(user=person).exists()


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_lower_levels_get_403_on_approve_and_deny(client_for, open_account, members, asked, role):
    _person, request = asked
    client = client_for(members[role].user)
    for name in ("join_requests:approve", "join_requests:deny"):
        url = account_url(name, open_account, request_id=request.pk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"level": "viewer"}).status_code == 403
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"


def test_a_huge_request_id_is_a_clean_answer(client_for, open_account, members):
    client = client_for(members["owner"].user)
    url = f"/a/{open_account.slug}/users/join-requests/99999999999999999999999/approve/"
    assert client.get(url).status_code in (302, 404)


@pytest.mark.parametrize("count", [3, 30])
def test_the_users_page_adds_one_query_for_requests(
    client_for, open_account, members, link, count, django_assert_max_num_queries
):
    from tests.people.test_users_page import USERS_PAGE_QUERIES

    for _ in range(count):
        client = client_for(UserFactory())
        open_link(client, link)
        client.post(reverse("joining:join"), {"action": "send", "note": "hi"})
    admin = client_for(members["admin"].user)
    url = account_url("people:users", open_account)
    admin.get(url)  # warm the session
    with django_assert_max_num_queries(USERS_PAGE_QUERIES + 1):
        body = admin.get(url).content.decode()
    assert body.count("data-join-request=") == count


def test_non_utf8_and_huge_values_are_refused_without_a_500(client_for, link, members, asked):
    _person, request = asked
    visitor = client_for(UserFactory())
    open_link(visitor, link)
    raw = b"action=send&note=caf\xe9\xff"
    response = visitor.post(
        reverse("joining:join"), raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500
    admin = client_for(members["admin"].user)
    url = account_url("join_requests:approve", link.account, request_id=request.pk)
    for body in (b"level=\xff\xfe", b"level=" + b"9" * 30, b"level=owner%00"):
        response = admin.post(url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert response.context["form"].errors["level"]
    assert JoinRequest.objects.get(pk=request.pk).status == "pending"
    assert not Membership.objects.filter(account=link.account, user=request.user).exists()


def test_an_unverified_person_is_sent_to_their_email_settings(client_for, link):
    from allauth.account.models import EmailAddress

    person = UserFactory()
    EmailAddress.objects.filter(user=person).update(verified=False)
    client = client_for(person)
    page = open_link(client, link).content.decode()
    assert "Verify your email address first" in page
    assert reverse("account_email") in page and "Send request" not in page
    client.post(reverse("joining:join"), {"action": "send", "note": ""})
    assert not JoinRequest.objects.exists()


def test_a_request_of_someone_who_joined_meanwhile_leaves_the_users_page(
    client_for, open_account, members, asked
):
    person, request = asked
    Membership.objects.create(account=open_account, user=person, role="viewer")  # invited
    body = client_for(members["admin"].user).get(account_url("people:users", open_account))
    assert "data-join-request=" not in body.content.decode()
    response = client_for(members["admin"].user).post(
        account_url("join_requests:approve", open_account, request_id=request.pk),
        {"level": "author"},
    )
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(account=open_account, user=person).role == "viewer"

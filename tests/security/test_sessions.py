"""Sessions: a new id at login, password change/reset ends the other sessions, and the
person can list and end their sessions (allauth usersessions)."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.apikeys.test_views import recently_authenticated
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Harbour-93!"


def login(user, **headers):
    client = Client(**headers)
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def is_logged_in(client, account):
    return client.get(reverse("overview", kwargs={"slug": account.slug})).status_code == 200


def test_login_issues_a_new_session_id(members):
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["probe"] = "x"
    session.save()
    before = session.session_key
    client.post(
        "/accounts/login/", {"login": members["viewer"].user.email, "password": TEST_PASSWORD}
    )
    assert client.session.session_key != before


def test_password_change_ends_other_sessions_and_keeps_this_one(members, account):
    user = members["viewer"].user
    laptop = login(user, HTTP_USER_AGENT="Laptop")
    phone = login(user, HTTP_USER_AGENT="Phone")
    assert is_logged_in(phone, account)
    assert UserSession.objects.filter(user=user).count() == 2

    recently_authenticated(laptop)
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_logged_in(laptop, account)
    assert not is_logged_in(phone, account)


def test_password_reset_ends_every_session(members, account, mailoutbox):
    import re

    user = members["viewer"].user
    phone = login(user)
    Client().post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mailoutbox[-1].body)
    assert link
    anonymous = Client()
    form_url = anonymous.get(link.group(1))["Location"]
    page = anonymous.get(form_url)
    assert "no-store" in page["Cache-Control"]
    anonymous.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not is_logged_in(phone, account)


def test_person_lists_and_ends_other_sessions(members, account):
    user = members["viewer"].user
    laptop = login(user, HTTP_USER_AGENT="Laptop/1.0")
    phone = login(user, HTTP_USER_AGENT="Phone/2.0")
    page = laptop.get(reverse("usersessions_list"))
    assert page.status_code == 200
    assert b"Phone/2.0" in page.content or b"Phone" in page.content
    response = laptop.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert is_logged_in(laptop, account)
    assert not is_logged_in(phone, account)

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_overview_date_is_shown_in_the_users_time_zone(client):
    created = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)
    account = AccountFactory(created_at=created)
    user = UserFactory(time_zone="Asia/Tokyo")
    MembershipFactory(user=user, account=account, role="viewer")
    client.force_login(user)
    body = client.get(reverse("overview", kwargs={"slug": account.slug})).content.decode()
    assert "16 Jan 2026, 08:30 JST" in body  # 23:30 UTC is 08:30 next day in Tokyo

    user.time_zone = "America/New_York"
    user.save()
    body = client.get(reverse("overview", kwargs={"slug": account.slug})).content.decode()
    assert "15 Jan 2026, 18:30 EST" in body


def test_profile_saves_name_mobile_in_e164_and_time_zone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Ana",
            "last_name": "Lopez",
            "mobile": "+34 612 345 678",
            "time_zone": "Europe/Madrid",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.mobile, user.time_zone) == (
        "Ana",
        "+34612345678",
        "Europe/Madrid",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "12345", "country code"),
        ("mobile", "+1 555 0000", "not a valid phone number"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("first_name", "", "This field is required"),
    ],
)
def test_profile_rejects_bad_input_next_to_the_field_and_changes_nothing(
    client, field, value, message
):
    user = UserFactory(first_name="Before", mobile="", time_zone="UTC")
    client.force_login(user)
    data = {"first_name": "After", "last_name": "X", "mobile": "", "time_zone": "UTC"}
    data[field] = value
    response = client.post(reverse("profile"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="error_1_id_{field}"' in body  # crispy renders the message under the field
    user.refresh_from_db()
    assert user.first_name == "Before"


def test_profile_shows_email_read_only_and_role_in_current_account(client):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)
    client.get(reverse("overview", kwargs={"slug": membership.account.slug}))
    body = client.get(reverse("profile")).content.decode()
    assert membership.user.email in body
    assert "disabled" in body
    assert "Manager" in body


def test_password_change_needs_current_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "wrong-Pass-1!",
            "password1": "New-Secret-99!",
            "password2": "New-Secret-99!",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.check_password("New-Secret-99!")

import pytest
from django.urls import reverse

from accounts.models import Account
from audit.models import ActivityEvent
from tests.factories import TEST_PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


def url(account):
    return reverse("account_settings:two_factor", kwargs={"slug": account.slug})


def test_page_lists_members_without_2fa_and_what_happens(client_for, members, give_2fa):
    account = members["owner"].account
    give_2fa(members["owner"].user)
    give_2fa(members["author"].user)
    page = client_for(members["owner"].user).get(url(account)).content.decode()
    assert "3 members without two-factor authentication" in page
    for role in ["admin", "manager", "viewer"]:
        assert members[role].user.email in page
    assert members["author"].user.email not in page
    assert "cannot use the account until they do" in page


def test_members_without_2fa_costs_the_same_queries_at_any_size(client_for, members):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    account = members["owner"].account
    client = client_for(members["owner"].user)
    client.get(url(account))  # warm-up: the first request also writes the session records
    counts = []
    for more in (0, 30):
        for _ in range(more):
            MembershipFactory(account=account, role="viewer")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(account)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_owner_with_2fa_requires_it(client_for, members, give_2fa):
    account = members["owner"].account
    give_2fa(members["owner"].user)
    response = client_for(members["owner"].user).post(url(account), {"enabled": "on"})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).require_2fa is True
    event = ActivityEvent.objects.get(account=account, action="account.settings_changed")
    assert (event.target_label, event.old_value, event.new_value) == (
        "Require two-factor authentication",
        "off",
        "on",
    )
    # A member without 2FA is now sent to set it up.
    response = client_for(members["viewer"].user).get(f"/a/{account.slug}/")
    assert response.status_code == 302
    assert "two-factor-required" in response["Location"]


def test_requiring_2fa_without_having_it_yourself_is_refused(client_for, members):
    account = members["owner"].account
    response = client_for(members["owner"].user).post(url(account), {"enabled": "on"}, follow=True)
    assert "Set up two-factor authentication for yourself" in response.content.decode()
    assert Account.objects.get(pk=account.pk).require_2fa is False


def test_turning_it_off_needs_recent_reauthentication(client_for, members, give_2fa):
    account = members["owner"].account
    account.require_2fa = True
    account.save()
    give_2fa(members["owner"].user)
    client = client_for(members["owner"].user, stale=True)
    response = client.post(url(account), {"enabled": "off"})
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert Account.objects.get(pk=account.pk).require_2fa is True

    # Re-entering the password resumes the suspended request.
    response = client.post(response["Location"], {"password": TEST_PASSWORD}, follow=False)
    assert Account.objects.get(pk=account.pk).require_2fa is False
    assert ActivityEvent.objects.filter(
        account=account, action="account.settings_changed", new_value="off"
    ).exists()


def test_turning_it_on_needs_no_reauthentication(client_for, members, give_2fa):
    account = members["owner"].account
    give_2fa(members["admin"].user)
    response = client_for(members["admin"].user).post(url(account), {"enabled": "on"})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).require_2fa is True

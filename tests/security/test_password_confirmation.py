"""The password that guards closing an account and transferring ownership cannot be guessed
from a signed-in session: after a few wrong tries in a minute every try is refused."""

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import Account
from memberships.models import Membership
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many wrong passwords. Wait a minute, then try again."


def transfer(client, account, new_owner, password):
    url = reverse("people:transfer", args=[account.slug])
    return client.post(url, {"new_owner": new_owner.pk, "password": password})


def test_transfer_refuses_even_the_right_password_after_too_many_wrong_ones(
    client_for, account, members
):
    client = client_for(members["owner"].user)
    with time_machine.travel("2026-11-23 12:00:05", tick=False):
        for _ in range(settings.PASSWORD_CONFIRM_FAILURES_PER_MINUTE):
            wrong = transfer(client, account, members["admin"], "not-it")
            assert "That is not your current password." in wrong.content.decode()
        refused = transfer(client, account, members["admin"], TEST_PASSWORD)
        assert refused.status_code == 200
        assert TOO_MANY in refused.content.decode()
        assert Membership.objects.get(pk=members["owner"].pk).role == "owner"
    with time_machine.travel("2026-11-23 12:01:05", tick=False):  # the next minute
        assert transfer(client, account, members["admin"], TEST_PASSWORD).status_code == 302
    # The offer waits for the Admin's acceptance (issue 20); it was made.
    assert account.ownership_transfers.filter(status="pending").count() == 1


def test_close_account_counts_wrong_passwords_per_person(client_for, account, members):
    url = reverse("account_settings:close", args=[account.slug])
    owner = client_for(members["owner"].user)
    form = {"confirm_name": account.name}
    with time_machine.travel("2026-11-23 12:00:05", tick=False):
        for _ in range(settings.PASSWORD_CONFIRM_FAILURES_PER_MINUTE):
            owner.post(url, {**form, "password": "not-it"})
        refused = owner.post(url, {**form, "password": TEST_PASSWORD})
        assert TOO_MANY in refused.content.decode()
        assert not Account.objects.get(pk=account.pk).is_closed
        # Another person's tries are their own.
        admin = client_for(members["admin"].user)
        assert admin.post(url, {**form, "password": TEST_PASSWORD}).status_code == 302
    assert Account.objects.get(pk=account.pk).is_closed


def test_a_password_with_spaces_is_not_trimmed(client_for, account, members):
    owner = members["owner"].user
    owner.set_password(" Spaced-Out-42! ")
    owner.save()
    client = client_for(owner)
    assert transfer(client, account, members["admin"], "Spaced-Out-42!").status_code == 200
    assert transfer(client, account, members["admin"], " Spaced-Out-42! ").status_code == 302

"""Closing stops pages, invitations and API keys; the Owner reopens within 30 days; the
purge deletes after 30 days and not before."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from account_settings.exceptions import AccountAlreadyClosed, ReopenWindowPassed
from account_settings.services import close_account, purge_closed_accounts, reopen_account
from accounts.models import Account
from audit.models import ActivityEvent
from billing.models import Invoice
from invitations.models import Invitation
from memberships.models import Membership
from security.api_auth import ApiAuthError, authenticate_key
from tests.factories import TEST_PASSWORD, ApiKeyFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def url(name, account):
    return reverse(f"account_settings:{name}", kwargs={"slug": account.slug})


def close_form(account, password=TEST_PASSWORD):
    return {"confirm_name": account.name, "password": password}


def test_close_page_lists_what_will_be_lost(client_for, members, make_invitation):
    account = members["owner"].account
    make_invitation(account, "new@example.test")
    ApiKeyFactory(account=account, created_by=members["admin"].user)
    page = client_for(members["owner"].user).get(url("close", account)).content.decode()
    assert "5 members (you included)" in page
    assert "1 pending invitation will be cancelled" in page
    assert "1 API key will stop working" in page
    assert "After 30 days everything is deleted for good" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"confirm_name": "wrong name", "password": TEST_PASSWORD}, "does not match"),
        ({"password": "not-my-password"}, "The password is not correct."),
    ],
)
def test_close_needs_the_exact_name_and_the_password(client_for, members, data, message):
    account = members["owner"].account
    form = {**close_form(account), **data}
    response = client_for(members["owner"].user).post(url("close", account), form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Account.objects.get(pk=account.pk).is_closed


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_closing_stops_pages_invitations_and_api_keys(
    client_for, members, make_invitation, mailoutbox, django_capture_on_commit_callbacks, role
):
    account = members["owner"].account
    invitation = make_invitation(account, "new@example.test", invited_by=members["admin"].user)
    orphan = make_invitation(account, "orphan@example.test", invited_by=None)
    key = ApiKeyFactory(account=account, created_by=members["admin"].user)
    assert authenticate_key(key.raw_key).account == account

    closer = members[role].user
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(closer).post(url("close", account), close_form(account))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_chooser")

    account.refresh_from_db()
    assert account.is_closed
    assert account.closed_by == closer
    assert {i.status for i in Invitation.objects.filter(pk__in=[invitation.pk, orphan.pk])} == {
        "cancelled"
    }
    assert ActivityEvent.objects.filter(account=account, action="account.closed").exists()
    # Every member is emailed, one email each.
    assert sorted(m.to[0] for m in mailoutbox if "closed" in m.subject) == sorted(
        m.user.email for m in members.values()
    )

    for member in members.values():
        page = client_for(member.user).get(f"/a/{account.slug}/")
        assert page.status_code == 403
        assert f"{account.name} is closed" in page.content.decode()
        assert closer.display_name in page.content.decode()
    with pytest.raises(ApiAuthError) as refused:
        authenticate_key(key.raw_key)
    assert refused.value.code == "account_closed"


def test_closing_twice_is_refused(members):
    account = members["owner"].account
    close_account(account=account, actor=members["owner"].user)
    with pytest.raises(AccountAlreadyClosed):
        close_account(account=account, actor=members["owner"].user)
    assert ActivityEvent.objects.filter(action="account.closed").count() == 1


def test_owner_reopens_and_everything_works_again(client_for, members, make_invitation):
    from invitations.services import accept_invitation
    from tests.factories import UserFactory

    account = members["owner"].account
    key = ApiKeyFactory(account=account, created_by=members["admin"].user)
    invitation = make_invitation(account, "late@example.test", token_hash="c" * 64)
    already_cancelled = make_invitation(account, "gone@example.test")
    already_cancelled.status = "cancelled"
    already_cancelled.responded_at = timezone.now() - datetime.timedelta(hours=1)
    already_cancelled.save()
    close_account(account=account, actor=members["admin"].user)
    assert Invitation.objects.get(pk=invitation.pk).status == "cancelled"
    owner = client_for(members["owner"].user)
    page = owner.get(url("reopen", account))
    assert page.status_code == 200
    assert "Reopen account" in page.content.decode()

    response = owner.post(url("reopen", account))
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.is_closed and account.closed_by is None
    assert ActivityEvent.objects.filter(account=account, action="account.reopened").exists()
    assert client_for(members["viewer"].user).get(f"/a/{account.slug}/").status_code == 200
    assert authenticate_key(key.raw_key).account == account
    # The invitation the close cancelled works again; one cancelled before stays cancelled.
    assert Invitation.objects.get(pk=already_cancelled.pk).status == "cancelled"
    late = UserFactory(email="late@example.test")
    accept_invitation(token_hash=invitation.token_hash, user=late, actor=late)
    assert Membership.objects.filter(account=account, user=late, role="viewer").exists()


@pytest.mark.parametrize("role", ["admin", "manager", "viewer"])
def test_only_the_owner_may_reopen(client_for, members, role):
    account = members["owner"].account
    close_account(account=account, actor=members["owner"].user)
    response = client_for(members[role].user).post(url("reopen", account))
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).is_closed


def test_reopen_on_an_open_account_just_goes_to_the_overview(client_for, members):
    account = members["owner"].account
    response = client_for(members["owner"].user).get(url("reopen", account))
    assert response.status_code == 302
    assert not ActivityEvent.objects.filter(account=account).exists()


def test_reopen_is_refused_after_30_days(client_for, members):
    account = members["owner"].account
    with time_machine.travel(timezone.now() - datetime.timedelta(days=31), tick=False):
        close_account(account=account, actor=members["owner"].user)
    with pytest.raises(ReopenWindowPassed):
        reopen_account(account=account, actor=members["owner"].user)
    response = client_for(members["owner"].user).post(url("reopen", account), follow=True)
    assert "can no longer be reopened" in response.content.decode()
    assert Account.objects.get(pk=account.pk).is_closed


def test_purge_deletes_after_30_days_and_not_before(members, other_account):
    account = members["owner"].account
    InvoiceFactory(account=account, sequence=1)
    ApiKeyFactory(account=account, created_by=members["admin"].user)
    closed_at = timezone.now()
    close_account(account=account, actor=members["owner"].user)

    with time_machine.travel(closed_at + datetime.timedelta(days=29, hours=23), tick=False):
        assert purge_closed_accounts() == 0
    assert Account.objects.filter(pk=account.pk).exists()

    with time_machine.travel(closed_at + datetime.timedelta(days=30, minutes=1), tick=False):
        assert purge_closed_accounts() == 1
        assert purge_closed_accounts() == 0  # idempotent
    assert not Account.objects.filter(pk=account.pk).exists()
    assert not Membership.objects.filter(account_id=account.pk).exists()
    assert not Invoice.objects.filter(account_id=account.pk).exists()
    assert not ActivityEvent.objects.filter(account_id=account.pk).exists()
    assert Account.objects.filter(pk=other_account.pk).exists()  # open accounts are kept


def test_purge_command_reports_and_is_safe_to_repeat(members, capsys):
    account = members["owner"].account
    with time_machine.travel(timezone.now() - datetime.timedelta(days=40), tick=False):
        close_account(account=account, actor=members["owner"].user)
    call_command("purge_closed_accounts")
    assert "Deleted 1 account(s)" in capsys.readouterr().out
    call_command("purge_closed_accounts")
    assert "Deleted 0 account(s)" in capsys.readouterr().out
    assert not Account.objects.filter(pk=account.pk).exists()


def test_reopened_account_is_not_purged(members):
    account = members["owner"].account
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10), tick=False):
        close_account(account=account, actor=members["owner"].user)
    reopen_account(account=account, actor=members["owner"].user)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60), tick=False):
        assert purge_closed_accounts() == 0
    assert Account.objects.filter(pk=account.pk).exists()


def test_invitation_link_stops_working_when_the_account_closes(members, make_invitation):
    from invitations.exceptions import InvitationClosed
    from invitations.services import accept_invitation
    from tests.factories import UserFactory

    account = members["owner"].account
    invitation = make_invitation(account, "late@example.test", token_hash="b" * 64)
    close_account(account=account, actor=members["owner"].user)
    late = UserFactory(email="late@example.test")
    with pytest.raises(InvitationClosed):
        accept_invitation(token_hash=invitation.token_hash, user=late, actor=late)
    assert not Membership.objects.filter(account=account, user=late).exists()

"""Turning on "Require 2FA" emails each active member who has no second factor yet."""

import pytest
from django.urls import reverse

from account_settings.exceptions import AccountSettingsError
from account_settings.services import set_require_2fa
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(account):
    return reverse("account_settings:two_factor", kwargs={"slug": account.slug})


def test_turning_it_on_emails_each_active_member_without_2fa_with_a_setup_link(
    client_for, members, give_2fa, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    give_2fa(members["owner"].user)
    give_2fa(members["author"].user)
    members["manager"].status = "suspended"
    members["manager"].save()
    outsider = MembershipFactory(role="viewer")  # another account's member
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(members["owner"].user).post(url(account), {"enabled": "on"})
    assert response.status_code == 302

    # One email each, so nobody sees the others' addresses.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [members["admin"].user.email, members["viewer"].user.email]
    )
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert outsider.user.email not in [m.to[0] for m in mailoutbox]
    message = mailoutbox[0]
    assert account.name in message.subject
    assert "two-factor" in message.subject
    # Text messages count here: the account's set-up page offers them beside the app.
    setup_url = reverse("two_factor_required", kwargs={"slug": account.slug})
    assert setup_url in message.body
    assert "text message" in message.body
    html = message.alternatives[0][0]
    assert 'href="http' in html and setup_url in html
    assert members["owner"].user.display_name in message.body


def test_turning_it_off_or_again_sends_nothing(
    members, give_2fa, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    owner = members["owner"].user
    give_2fa(owner)
    with django_capture_on_commit_callbacks(execute=True):
        set_require_2fa(account=account, actor=owner, required=True)
    sent = len(mailoutbox)
    assert sent == 4  # admin, manager, author, viewer
    with django_capture_on_commit_callbacks(execute=True):
        set_require_2fa(account=account, actor=owner, required=True)  # no change
        set_require_2fa(account=account, actor=owner, required=False)
    assert len(mailoutbox) == sent


def test_a_refused_change_sends_nothing(members, mailoutbox, django_capture_on_commit_callbacks):
    account = members["owner"].account
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AccountSettingsError):
        set_require_2fa(account=account, actor=members["owner"].user, required=True)
    assert mailoutbox == []


def test_where_only_an_app_or_key_counts_the_email_says_so_and_links_the_app(
    members, give_2fa, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    owner = members["owner"].user
    give_2fa(owner)
    with django_capture_on_commit_callbacks(execute=True):
        set_require_2fa(account=account, actor=owner, required=True, methods="app_or_key")
    message = mailoutbox[0]
    assert reverse("mfa_activate_totp") in message.body
    assert "text messages do not count there" in message.body
    assert "text messages do not count there" in message.alternatives[0][0]

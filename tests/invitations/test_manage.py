"""Pending invitations on the Users page: resend, cancel, expire, remind, revoke."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import ActivityEvent
from invitations.models import Invitation
from invitations.selectors import pending_invitation_count, pending_invitations, seats_used
from tests.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.invitations.conftest import token_from

pytestmark = pytest.mark.django_db


def resend(client, invitation):
    return client.post(
        reverse(
            "invitations:resend",
            kwargs={"slug": invitation.account.slug, "invitation_id": invitation.pk},
        )
    )


def cancel_url(invitation):
    return reverse(
        "invitations:cancel",
        kwargs={"slug": invitation.account.slug, "invitation_id": invitation.pk},
    )


def link_status(invitation_token):
    """Status code of the accept page after following a link with this token."""
    client = Client()
    first = client.get(reverse("invitations:token", kwargs={"token": invitation_token}))
    if first.status_code != 302:
        return first.status_code
    return client.get(reverse("invitations:accept")).status_code


def test_users_page_lists_pending_invitations_with_actions(client_for, account, inviter):
    InvitationFactory(account=account, email="ana@example.com", invited_by=inviter, role="author")
    response = client_for(inviter).get(reverse("people:users", kwargs={"slug": account.slug}))
    assert response.status_code == 200
    content = response.content.decode()
    assert "ana@example.com" in content
    assert inviter.display_name in content
    assert "Resend" in content and "Cancel" in content


def test_users_page_query_count_is_flat(
    client_for, account, inviter, django_assert_max_num_queries
):
    client = client_for(inviter)
    url = reverse("people:users", kwargs={"slug": account.slug})
    InvitationFactory.create_batch(2, account=account)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    InvitationFactory.create_batch(20, account=account)  # each with its own inviter
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(response.context["pending_invitations"]) == 22


def test_resend_makes_the_old_link_fail_and_the_new_one_work(
    client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(account=account)
    old_token = invitation.raw_token
    assert link_status(old_token) == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = resend(client_for(inviter), invitation)
    assert response.status_code == 302
    new_token = token_from(mailoutbox[-1])
    assert new_token != old_token
    assert link_status(old_token) == 404
    assert link_status(new_token) == 200
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6, hours=23)
    assert ActivityEvent.objects.filter(action="invitation.resent").count() == 1


def test_old_link_already_in_a_session_fails_after_resend(client_for, account, inviter):
    invitation = InvitationFactory(account=account)
    visitor = Client()
    visitor.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    resend(client_for(inviter), invitation)
    assert visitor.get(reverse("invitations:accept")).status_code == 404


def test_at_most_three_resends_per_invitation_per_24_hours(client_for, account, inviter):
    invitation = InvitationFactory(account=account)
    client = client_for(inviter)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            resend(client, invitation)
        response = resend(client, invitation)
    assert ActivityEvent.objects.filter(action="invitation.resent").count() == 3
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("resent 3 times in 24 hours" in m for m in messages)
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        resend(client, invitation)
    assert ActivityEvent.objects.filter(action="invitation.resent").count() == 4


def test_expired_invitation_is_listed_and_one_click_resend_revives_it(
    client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(account=account, created_at=timezone.now() - timedelta(days=8))
    assert invitation.is_expired
    assert list(pending_invitations(account)) == [invitation]
    assert pending_invitation_count(account) == 0
    page = client_for(inviter).get(reverse("people:users", kwargs={"slug": account.slug}))
    assert "Expired" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resend(client_for(inviter), invitation)
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.is_open
    assert link_status(token_from(mailoutbox[-1])) == 200


def test_cancel_asks_for_confirmation_then_the_link_fails(client_for, account, inviter):
    invitation = InvitationFactory(account=account)
    client = client_for(inviter)
    page = client.get(cancel_url(invitation))
    assert page.status_code == 200
    assert "Cancel the invitation to" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    response = client.post(cancel_url(invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"
    assert link_status(invitation.raw_token) == 410
    assert ActivityEvent.objects.filter(action="invitation.cancelled").count() == 1
    assert pending_invitation_count(account) == 0


def test_manager_cannot_resend_or_cancel(client_for, account, members):
    invitation = InvitationFactory(account=account)
    client = client_for(members["manager"].user)
    assert resend(client, invitation).status_code == 403
    assert client.post(cancel_url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending" and invitation.token_hash
    assert not ActivityEvent.objects.exists()


def test_cannot_cancel_another_accounts_invitation(client_for, account, inviter, other_account):
    theirs = InvitationFactory(account=other_account)
    url = reverse("invitations:cancel", kwargs={"slug": account.slug, "invitation_id": theirs.pk})
    client_for(inviter).post(url)
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_revoking_a_member_cancels_the_invitations_they_sent(client_for, account, members):
    admin = members["admin"]
    mine = InvitationFactory(account=account, invited_by=admin.user)
    elsewhere = InvitationFactory(invited_by=admin.user)
    other = InvitationFactory(account=account)
    response = client_for(members["owner"].user).post(
        reverse("people:revoke", kwargs={"slug": account.slug, "member_id": admin.pk})
    )
    assert response.status_code == 302
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses == {mine.pk: "cancelled", elsewhere.pk: "pending", other.pk: "pending"}
    event = ActivityEvent.objects.get(action="invitation.cancelled")
    assert event.target_label == mine.email and event.actor == members["owner"].user


def test_expire_command_marks_and_logs_expired_invitations(account):
    due = InvitationFactory(account=account, created_at=timezone.now() - timedelta(days=8))
    fresh = InvitationFactory(account=account)
    call_command("expire_invitations")
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.status, fresh.status) == ("expired", "pending")
    assert ActivityEvent.objects.filter(action="invitation.expired").count() == 1
    call_command("expire_invitations")
    assert ActivityEvent.objects.filter(action="invitation.expired").count() == 1


def test_one_reminder_two_days_before_expiry(
    account, mailoutbox, django_capture_on_commit_callbacks
):
    invitation = InvitationFactory(account=account)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        call_command("send_invitation_reminders")
        assert mailoutbox == []
    with time_machine.travel(timezone.now() + timedelta(days=5, hours=1)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_invitation_reminders")
            call_command("send_invitation_reminders")
        assert len(mailoutbox) == 1
        assert "expires soon" in mailoutbox[0].subject
        assert link_status(token_from(mailoutbox[0])) == 200
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at is not None


def test_pending_invitations_take_seats(account):
    InvitationFactory.create_batch(2, account=account)
    InvitationFactory(account=account, status="cancelled")
    MembershipFactory(account=account)
    assert pending_invitation_count(account) == 2
    assert seats_used(account) == 3


def test_accepted_invitation_counts_once(client, account):
    invitation = InvitationFactory(account=account)
    user = UserFactory(email=invitation.email)
    from invitations.services import accept_invitation

    accept_invitation(token_hash=invitation.token_hash, user=user, actor=user)
    assert seats_used(account) == 1


def test_reinviting_after_expiry_lists_only_the_new_invitation(client_for, account, inviter):
    old = InvitationFactory(
        account=account, email="ana@example.com", created_at=timezone.now() - timedelta(days=8)
    )
    response = client_for(inviter).post(
        reverse("invitations:invite", kwargs={"slug": account.slug}),
        {"emails": "ana@example.com", "accounts": [account.pk], "level": "viewer"},
    )
    assert response.status_code == 302
    listed = list(pending_invitations(account))
    assert len(listed) == 1 and listed[0].pk != old.pk and listed[0].is_open

"""Owners and Admins who opted in are emailed about members joining, leaving or changing
level; never about their own actions; everyone is told when their own level changes."""

import pytest
from django.db import transaction
from django.urls import reverse

from memberships.models import NotificationPreference
from memberships.notifications import notify_member_event
from tests.factories import MembershipFactory, NotificationPreferenceFactory

pytestmark = pytest.mark.django_db


def notify(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_member_event(**kwargs)


def recipients(mailoutbox):
    return sorted(m.to[0] for m in mailoutbox)


def test_owners_and_admins_hear_about_a_new_member_by_default(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    newcomer = MembershipFactory(account=account, role="viewer").user
    notify(
        django_capture_on_commit_callbacks,
        account=account,
        event="joined",
        subject_user=newcomer,
        new_level="viewer",
    )
    assert recipients(mailoutbox) == sorted(
        [members["owner"].user.email, members["admin"].user.email]
    )
    assert all(len(m.to) == 1 for m in mailoutbox)  # nobody sees the other recipients
    assert newcomer.display_name in mailoutbox[0].subject


def test_the_actor_is_never_told_about_their_own_action(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    notify(
        django_capture_on_commit_callbacks,
        account=account,
        event="left",
        subject_user=members["viewer"].user,
        actor=members["admin"].user,
    )
    assert recipients(mailoutbox) == [members["owner"].user.email]


def test_opted_out_members_are_not_emailed(members, mailoutbox, django_capture_on_commit_callbacks):
    account = members["owner"].account
    NotificationPreferenceFactory(membership=members["admin"], on_joined=False)
    notify(
        django_capture_on_commit_callbacks,
        account=account,
        event="joined",
        subject_user=members["viewer"].user,
    )
    assert recipients(mailoutbox) == [members["owner"].user.email]


def test_suspended_admins_and_lower_levels_are_not_emailed(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    members["admin"].status = "suspended"
    members["admin"].save()
    NotificationPreferenceFactory(membership=members["manager"])  # a stray row changes nothing
    notify(
        django_capture_on_commit_callbacks,
        account=account,
        event="joined",
        subject_user=members["viewer"].user,
    )
    assert recipients(mailoutbox) == [members["owner"].user.email]


def test_level_change_emails_opted_in_admins_and_the_member_exactly_once(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    from people.services import change_level

    account = members["owner"].account
    subject = members["viewer"].user
    with django_capture_on_commit_callbacks(execute=True):
        change_level(
            account=account,
            membership_id=members["viewer"].pk,
            level="author",
            actor=members["owner"].user,
        )
    # The Admin (defaults on) gets the notice; the Owner acted; the member is told once.
    assert recipients(mailoutbox) == sorted([members["admin"].user.email, subject.email])
    [own] = [m for m in mailoutbox if m.to == [subject.email]]
    assert own.subject == f"Your level in {account.name} is now Author"
    [notice] = [m for m in mailoutbox if m.to == [members["admin"].user.email]]
    assert "Viewer to Author" in notice.body


def test_member_is_told_of_their_own_level_change_even_with_everything_off(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    from people.services import change_level

    account = members["owner"].account
    NotificationPreferenceFactory(
        membership=members["admin"], on_joined=False, on_left=False, on_level_changed=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_level(
            account=account,
            membership_id=members["admin"].pk,
            level="manager",
            actor=members["owner"].user,
        )
    assert recipients(mailoutbox) == [members["admin"].user.email]
    assert "Your level" in mailoutbox[0].subject


def test_nothing_is_sent_when_the_transaction_rolls_back(members, mailoutbox):
    account = members["owner"].account
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_member_event(account=account, event="joined", subject_user=members["viewer"].user)
        raise RuntimeError
    assert mailoutbox == []


def test_unknown_event_is_a_programming_error(members):
    with pytest.raises(ValueError, match="Unknown member event"):
        notify_member_event(
            account=members["owner"].account, event="sneezed", subject_user=members["viewer"].user
        )


def test_personal_page_lists_only_accounts_where_i_am_owner_or_admin(
    client_for, members, other_account
):
    admin = members["admin"]
    MembershipFactory(account=other_account, user=admin.user, role="viewer")
    page = client_for(admin.user).get(reverse("notification_settings")).content.decode()
    assert "You are always told when your own level changes." in page
    assert f'data-account="{admin.account.slug}"' in page
    assert f'data-account="{other_account.slug}"' not in page
    for label in ["Someone joins", "Someone leaves or is removed", "Someone&#x27;s level changes"]:
        assert label in page


def test_personal_page_saves_the_checkboxes(client_for, members):
    admin = members["admin"]
    response = client_for(admin.user).post(
        reverse("notification_settings"), {f"{admin.pk}-on_joined": "on"}
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(membership=admin)
    assert (preference.on_joined, preference.on_left, preference.on_level_changed) == (
        True,
        False,
        False,
    )


def test_personal_page_cannot_change_someone_elses_preferences(client_for, members):
    owner = members["owner"]
    client_for(members["admin"].user).post(
        reverse("notification_settings"), {f"{owner.pk}-on_joined": ""}
    )
    assert not NotificationPreference.objects.filter(membership=owner).exists()


def test_viewer_sees_only_the_own_level_note(client_for, members):
    page = client_for(members["viewer"].user).get(reverse("notification_settings")).content.decode()
    assert "You are always told when your own level changes." in page
    assert "nothing else to choose" in page


def test_personal_page_needs_login(client):
    response = client.get(reverse("notification_settings"))
    assert response.status_code == 302


def test_notification_settings_leave_out_accounts_the_gate_locks(client_for, members, account):
    """An Admin whose account requires 2FA they lack is not offered (nor can post) its row."""
    admin = members["admin"]
    account.require_2fa = True
    account.save()
    client = client_for(admin.user)
    page = client.get(reverse("notification_settings"))
    assert page.status_code == 200
    assert f"{admin.pk}-on_joined" not in page.content.decode()
    response = client.post(reverse("notification_settings"), {f"{admin.pk}-on_joined": ""})
    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(membership=admin).exists()


def test_a_revoke_tells_the_admins_removed_and_a_leave_tells_them_left(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    from people import services

    account = members["owner"].account
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_member(
            account=account, membership_id=members["viewer"].pk, actor=members["owner"].user
        )
    to_admin = [m for m in mailoutbox if m.to == [members["admin"].user.email]]
    assert len(to_admin) == 1
    name = members["viewer"].user.display_name
    assert f"{name} was removed from {account.name}" in to_admin[0].subject
    assert "left" not in to_admin[0].subject and " left " not in to_admin[0].body
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_account(account=account, actor=members["author"].user)
    to_admin = [m for m in mailoutbox if m.to == [members["admin"].user.email]]
    assert f"{members['author'].user.display_name} left {account.name}" in to_admin[0].subject

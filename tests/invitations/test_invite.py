"""The invite form: all-or-nothing batches, levels, accounts, the daily cap and seats."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import ActivityEvent
from invitations.models import Invitation
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def invite_url(account):
    return reverse("invitations:invite", kwargs={"slug": account.slug})


def post_invite(client, account, *, emails, accounts=None, level="viewer", message=""):
    return client.post(
        invite_url(account),
        {
            "emails": emails,
            "accounts": [a.pk for a in (accounts or [account])],
            "level": level,
            "message": message,
        },
    )


def test_admin_invites_several_people_by_lines_and_commas(
    client_for, account, inviter, mailoutbox, django_capture_on_commit_callbacks
):
    client = client_for(inviter)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_invite(
            client,
            account,
            emails="Ana@Example.com\nbo@example.com, cy@example.com",
            level="author",
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:users", kwargs={"slug": account.slug})
    invitations = Invitation.objects.filter(account=account).order_by("email")
    assert [i.email for i in invitations] == ["ana@example.com", "bo@example.com", "cy@example.com"]
    assert {i.role for i in invitations} == {"author"}
    assert {i.invited_by for i in invitations} == {inviter}
    assert {i.delivery_status for i in invitations} == {"sent"}
    assert sorted(m.to[0] for m in mailoutbox) == [i.email for i in invitations]
    assert ActivityEvent.objects.filter(account=account, action="invitation.sent").count() == 3


def test_form_preselects_current_account_and_viewer_and_offers_no_owner(
    client_for, account, inviter, other_account
):
    MembershipFactory(account=other_account, user=inviter, role="manager")
    response = client_for(inviter).get(invite_url(account))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["level"].initial == "viewer"
    assert list(form["accounts"].initial) == [account.pk]
    assert [v for v, _ in form.fields["level"].choices] == ["admin", "manager", "author", "viewer"]
    # Only accounts where the inviter may invite (not the one where they are Manager).
    assert list(form.fields["accounts"].queryset) == [account]


def test_one_invalid_address_rejects_the_whole_batch_with_a_message_per_address(
    client_for, account, inviter, mailoutbox
):
    response = post_invite(
        client_for(inviter), account, emails="good@example.com\nnot-an-email\nalso@bad"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["emails"]
    assert "not-an-email: not a valid email address." in errors
    assert "also@bad: not a valid email address." in errors
    assert len(errors) == 2
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_existing_member_rejects_the_whole_batch(client_for, account, members, inviter):
    viewer_email = members["viewer"].user.email
    response = post_invite(
        client_for(inviter), account, emails=f"new@example.com\n{viewer_email.upper()}"
    )
    assert response.status_code == 200
    assert response.context["form"].errors["emails"] == [
        f"{viewer_email}: already a member of {account.name}."
    ]
    assert not Invitation.objects.exists()
    assert not ActivityEvent.objects.filter(action="invitation.sent").exists()


def test_address_with_pending_invitation_is_refused(client_for, account, inviter):
    InvitationFactory(account=account, email="ana@example.com")
    response = post_invite(client_for(inviter), account, emails="ana@example.com, bo@example.com")
    assert response.status_code == 200
    assert "already has a pending invitation" in response.context["form"].errors["emails"][0]
    assert Invitation.objects.count() == 1


def test_more_than_25_addresses_at_once_is_refused(client_for, account, inviter):
    emails = "\n".join(f"p{i}@example.com" for i in range(26))
    response = post_invite(client_for(inviter), account, emails=emails)
    assert "at most 25 addresses" in response.context["form"].errors["emails"][0]
    assert not Invitation.objects.exists()


def test_personal_message_is_limited_to_1000_characters(client_for, account, inviter):
    response = post_invite(client_for(inviter), account, emails="a@example.com", message="x" * 1001)
    assert "message" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_admin_cannot_invite_above_own_level_even_by_forged_post(client_for, account, inviter):
    for level in ["owner", "nonsense"]:
        response = post_invite(client_for(inviter), account, emails="a@example.com", level=level)
        assert response.status_code == 200
        assert "level" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_level_the_plan_does_not_offer_is_refused(client_for, inviter, account):
    standard = AccountFactory(plan="standard")  # no Manager level
    MembershipFactory(account=standard, user=inviter, role="admin")
    response = post_invite(
        client_for(inviter),
        account,
        emails="a@example.com",
        accounts=[account, standard],
        level="manager",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["level"] == [
        f"The Standard plan of {standard.name} does not offer the Manager level."
    ]
    assert not Invitation.objects.exists()


def test_manager_cannot_open_or_post_the_invite_form(client_for, account, members):
    client = client_for(members["manager"].user)
    assert client.get(invite_url(account)).status_code == 403
    assert post_invite(client, account, emails="a@example.com").status_code == 403
    assert not Invitation.objects.exists()


def test_forged_account_where_inviter_is_only_manager_is_refused(
    client_for, account, inviter, other_account
):
    MembershipFactory(account=other_account, user=inviter, role="manager")
    response = post_invite(
        client_for(inviter), account, emails="a@example.com", accounts=[account, other_account]
    )
    assert response.status_code == 200
    assert "accounts" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_forged_account_where_inviter_is_not_a_member_is_refused(
    client_for, account, inviter, other_account
):
    response = post_invite(
        client_for(inviter), account, emails="a@example.com", accounts=[other_account]
    )
    assert response.status_code == 200
    assert "accounts" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_admin_invites_to_two_accounts_at_once(client_for, account, inviter, mailoutbox):
    second = AccountFactory(plan="premium")
    MembershipFactory(account=second, user=inviter, role="admin")
    response = post_invite(
        client_for(inviter),
        account,
        emails="a@example.com b@example.com",
        accounts=[account, second],
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(account=account).count() == 2
    assert Invitation.objects.filter(account=second).count() == 2


def test_26th_invitation_in_24_hours_is_refused(client_for, account, inviter):
    client = client_for(inviter)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        emails = "\n".join(f"p{i}@example.com" for i in range(25))
        assert post_invite(client, account, emails=emails).status_code == 302
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        response = post_invite(client, account, emails="late@example.com")
        assert response.status_code == 200
        error = response.context["form"].non_field_errors()[0]
        assert "at most 25 invitations in 24 hours" in error
        assert "0 invitations left now" in error
        assert Invitation.objects.count() == 25
    # The rolling window frees up 24 hours after the first ones.
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert post_invite(client, account, emails="late@example.com").status_code == 302
    assert Invitation.objects.count() == 26


def test_cap_error_says_how_many_are_left(client_for, account, inviter):
    client = client_for(inviter)
    emails = "\n".join(f"p{i}@example.com" for i in range(20))
    assert post_invite(client, account, emails=emails).status_code == 302
    response = post_invite(client, account, emails="\n".join(f"q{i}@example.com" for i in range(6)))
    assert (
        "5 invitations left now, and you are sending 6"
        in response.context["form"].non_field_errors()[0]
    )
    assert Invitation.objects.count() == 20


@pytest.mark.parametrize("cap", [0, 3])
def test_a_batch_larger_than_the_cap_is_refused_with_a_message(
    client_for, account, inviter, settings, cap
):
    """A cap below the batch (0 included) never frees enough: say so, never a 500."""
    settings.INVITATIONS_PER_ACCOUNT_PER_DAY = cap
    emails = "\n".join(f"p{i}@example.com" for i in range(cap + 1))
    response = post_invite(client_for(inviter), account, emails=emails)
    assert response.status_code == 200
    assert "Send fewer at a time" in response.context["form"].non_field_errors()[0]
    assert not Invitation.objects.exists()


def test_seat_limit_counts_members_and_pending_invitations(client_for):
    essentials = AccountFactory(plan="essentials")  # 3 seats, Owner and Admin levels
    owner = MembershipFactory(account=essentials, role="owner").user
    InvitationFactory(account=essentials, role="admin")
    client = client_for(owner)
    response = post_invite(client, essentials, emails="a@example.com b@example.com", level="admin")
    assert response.status_code == 200
    assert "1 seat left on the Essentials plan" in response.context["form"].non_field_errors()[0]
    assert Invitation.objects.filter(account=essentials).count() == 1
    assert post_invite(client, essentials, emails="a@example.com", level="admin").status_code == 302


def test_expired_invitations_do_not_hold_seats(client_for):
    essentials = AccountFactory(plan="essentials")
    owner = MembershipFactory(account=essentials, role="owner").user
    old = InvitationFactory(
        account=essentials, role="admin", created_at=timezone.now() - timedelta(days=8)
    )
    InvitationFactory(account=essentials, role="admin")
    response = post_invite(client_for(owner), essentials, emails="a@example.com", level="admin")
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == "expired"
    assert ActivityEvent.objects.filter(
        action="invitation.expired", target_label=old.email
    ).exists()


@pytest.mark.expects_500  # the database fails half-way on purpose
def test_rolled_back_invitation_sends_nothing(
    client_for, account, inviter, mailoutbox, monkeypatch
):
    import invitations.services.inviting as services

    def boom(*args, **kwargs):
        raise RuntimeError("database trouble after the invitations were created")

    monkeypatch.setattr(services, "_record", boom)
    with pytest.raises(RuntimeError):
        post_invite(client_for(inviter), account, emails="a@example.com")
    assert not Invitation.objects.exists()
    assert mailoutbox == []

"""The services refuse on their own, whatever the caller (view, API, command) checked."""

import pytest

from audit.models import ActivityEvent
from invitations import services
from invitations.exceptions import (
    InvalidAddresses,
    InvitationClosed,
    InvitationError,
    LevelNotAllowed,
    NotAllowed,
    WrongUser,
)
from invitations.models import Invitation
from memberships.models import Membership
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_manager_is_refused_by_the_service(account, members):
    with pytest.raises(NotAllowed):
        services.invite_users(
            accounts=[account],
            emails=["a@example.com"],
            level="viewer",
            actor=members["manager"].user,
        )
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("level", ["owner", "superuser"])
def test_owner_or_unknown_level_is_refused(account, members, level):
    with pytest.raises(LevelNotAllowed):
        services.invite_users(
            accounts=[account], emails=["a@example.com"], level=level, actor=members["owner"].user
        )
    assert not Invitation.objects.exists()


def test_refusal_in_one_account_creates_nothing_in_the_other(account, members, other_account):
    MembershipFactory(account=other_account, user=members["admin"].user, role="manager")
    with pytest.raises(NotAllowed):
        services.invite_users(
            accounts=[account, other_account],
            emails=["a@example.com"],
            level="viewer",
            actor=members["admin"].user,
        )
    assert not Invitation.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_member_of_either_account_rejects_the_batch_with_per_address_reasons(
    account, members, other_account
):
    admin = members["admin"].user
    MembershipFactory(account=other_account, user=admin, role="admin")
    theirs = MembershipFactory(account=other_account, role="viewer").user
    with pytest.raises(InvalidAddresses) as refusal:
        services.invite_users(
            accounts=[account, other_account],
            emails=[theirs.email, members["author"].user.email, "new@example.com"],
            level="viewer",
            actor=admin,
        )
    assert set(refusal.value.errors) == {theirs.email, members["author"].user.email}
    assert not Invitation.objects.exists()


def test_message_longer_than_1000_characters_is_refused(account, members):
    with pytest.raises(InvitationError):
        services.invite_users(
            accounts=[account],
            emails=["a@example.com"],
            level="viewer",
            message="x" * 1001,
            actor=members["admin"].user,
        )
    assert not Invitation.objects.exists()


def test_only_the_invited_email_may_accept(account):
    invitation = InvitationFactory(account=account)
    stranger = UserFactory()
    with pytest.raises(WrongUser):
        services.accept_invitation(token_hash=invitation.token_hash, user=stranger, actor=stranger)
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Membership.objects.filter(user=stranger).exists()


def test_accept_after_a_downgrade_that_dropped_the_level_is_refused():
    account = AccountFactory(plan="premium")
    invitation = InvitationFactory(account=account, role="manager")
    account.plan = "standard"
    account.save()
    user = UserFactory(email=invitation.email)
    with pytest.raises(LevelNotAllowed):
        services.accept_invitation(token_hash=invitation.token_hash, user=user, actor=user)
    assert not Membership.objects.filter(user=user).exists()


def test_a_used_token_cannot_be_accepted_again(account):
    invitation = InvitationFactory(account=account)
    user = UserFactory(email=invitation.email)
    services.accept_invitation(token_hash=invitation.token_hash, user=user, actor=user)
    with pytest.raises(InvitationClosed):
        services.accept_invitation(token_hash=invitation.token_hash, user=user, actor=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_signup_for_an_email_that_has_a_login_is_refused(account):
    invitation = InvitationFactory(account=account)
    UserFactory(email=invitation.email)
    with pytest.raises(WrongUser):
        services.accept_invitation_with_signup(
            token_hash=invitation.token_hash,
            first_name="A",
            last_name="B",
            password="Blue-Harbour-77!",
        )
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_cancel_invitations_sent_by_counts_and_logs(account, members):
    admin = members["admin"].user
    InvitationFactory.create_batch(2, account=account, invited_by=admin)
    InvitationFactory(account=account, invited_by=admin, status="accepted")
    from django.db import transaction

    with transaction.atomic():
        count = services.cancel_invitations_sent_by(
            account=account, user=admin, actor=members["owner"].user
        )
    assert count == 2
    assert Invitation.objects.filter(status="cancelled").count() == 2
    assert ActivityEvent.objects.filter(action="invitation.cancelled").count() == 2


def test_service_validates_addresses_itself(account, members):
    with pytest.raises(InvalidAddresses) as refusal:
        services.invite_users(
            accounts=[account],
            emails=["ok@example.com", "nope"],
            level="viewer",
            actor=members["admin"].user,
        )
    assert refusal.value.errors == {"nope": ["not a valid email address."]}
    with pytest.raises(InvalidAddresses):
        services.invite_users(
            accounts=[account],
            emails=[f"p{i}@example.com" for i in range(26)],
            level="viewer",
            actor=members["admin"].user,
        )
    assert not Invitation.objects.exists()

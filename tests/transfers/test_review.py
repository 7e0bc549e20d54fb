"""Ownership transfer, as the review of issue 20 found it: an offer to someone who stops
being an active Admin does not stay pending; it is cancelled, logged and both are told."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import ActivityEvent
from memberships.exceptions import AccessDenied
from people import services as people
from tests.factories import MembershipFactory
from transfers import services
from transfers.exceptions import TransferClosed
from transfers.models import OwnershipTransfer

pytestmark = pytest.mark.django_db


def _offer(members, account):
    return services.start_transfer(
        account=account, new_owner_membership_id=members["admin"].pk, actor=members["owner"].user
    )


def _demote(account, members):
    people.change_level(
        account=account,
        membership_id=members["admin"].pk,
        level="manager",
        actor=members["owner"].user,
    )


def _suspend(account, members):
    people.suspend_member(
        account=account, membership_id=members["admin"].pk, actor=members["owner"].user
    )


def _revoke(account, members):
    people.revoke_member(
        account=account, membership_id=members["admin"].pk, actor=members["owner"].user
    )


def _leave(account, members):
    MembershipFactory(user=members["admin"].user)  # another account: the login stays
    people.leave_account(account=account, actor=members["admin"].user)


def _bulk_revoke(account, members):
    people.bulk_revoke(
        account=account,
        membership_ids=[members["admin"].pk, members["viewer"].pk],
        actor=members["owner"].user,
    )


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (_demote, "is no longer an Admin"),
        (_suspend, "was suspended"),
        (_revoke, "was removed from the account"),
        (_bulk_revoke, "was removed from the account"),
        (_leave, "left the account"),
    ],
)
def test_an_offer_to_someone_who_stops_being_an_admin_is_cancelled(
    account, members, mailoutbox, django_capture_on_commit_callbacks, change, why
):
    transfer = _offer(members, account)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        change(account, members)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    row = ActivityEvent.objects.get(action="account.ownership_transfer_cancelled")
    assert why in row.new_value
    told = [m for m in mailoutbox if "offer of ownership" in m.subject or "transfer" in m.subject]
    assert sorted(m.to[0] for m in told) == sorted(
        [members["owner"].user.email, members["admin"].user.email]
    )
    assert all(why in m.body for m in told)
    with pytest.raises((TransferClosed, AccessDenied)):  # closed, or the gate first
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    # The Owner can offer ownership to another Admin at once.
    other = MembershipFactory(account=account, role="admin")
    services.start_transfer(
        account=account, new_owner_membership_id=other.pk, actor=members["owner"].user
    )


def test_an_offer_to_someone_whose_access_ended_is_cancelled_by_the_job(
    account, members, django_capture_on_commit_callbacks
):
    people.set_access_until(
        account=account,
        membership_id=members["admin"].pk,
        access_until=timezone.now() + timedelta(hours=1),
        actor=members["owner"].user,
    )
    transfer = _offer(members, account)
    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        people.expire_access(actor=None)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"


def test_changes_to_other_members_leave_the_offer_pending(account, members):
    transfer = _offer(members, account)
    people.change_level(
        account=account,
        membership_id=members["author"].pk,
        level="viewer",
        actor=members["owner"].user,
    )
    people.suspend_member(
        account=account, membership_id=members["viewer"].pk, actor=members["owner"].user
    )
    assert OwnershipTransfer.objects.get(pk=transfer.pk).status == "pending"


# --- The password that accepts ownership cannot be guessed -------------------------------


def test_accepting_stops_after_too_many_wrong_passwords_even_the_right_one(
    client_for, account, members, settings
):
    from django.urls import reverse

    from memberships.models import Membership
    from tests.factories import TEST_PASSWORD

    transfer = _offer(members, account)
    client = client_for(members["admin"].user)
    review = reverse("transfers:review", kwargs={"slug": account.slug})
    for _ in range(settings.PASSWORD_CONFIRM_FAILURES_PER_MINUTE):
        response = client.post(review, {"transfer": transfer.pk, "password": "wrong"})
        assert "That is not your current password." in response.content.decode()
    response = client.post(review, {"transfer": transfer.pk, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert "Too many wrong passwords" in response.content.decode()
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"
    assert OwnershipTransfer.objects.get(pk=transfer.pk).status == "pending"

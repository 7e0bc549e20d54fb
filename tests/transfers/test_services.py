"""Ownership transfer with acceptance (issue 20, item 4): nothing changes until the Admin
accepts; accept, decline, cancel and expiry each email both people and are logged."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import ActivityEvent
from memberships.exceptions import (
    AccessDenied,
    CannotChangeSelf,
    NotAllowed,
    TransferTargetNotAdmin,
)
from memberships.models import Membership
from people import services as people
from tests.factories import MembershipFactory
from transfers import services
from transfers.exceptions import TransferAlreadyPending, TransferClosed
from transfers.models import OwnershipTransfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)

    return call


def roles(account):
    return dict(Membership.objects.filter(account=account).values_list("pk", "role"))


def offer(run, members, account):
    return run(
        services.start_transfer,
        account=account,
        new_owner_membership_id=members["admin"].pk,
        actor=members["owner"].user,
    )


def recipients(mailoutbox):
    return sorted(m.to[0] for m in mailoutbox)


def both(members):
    return sorted([members["owner"].user.email, members["admin"].user.email])


# --- offering -------------------------------------------------------------------------------


def test_offering_changes_nothing_but_emails_both_and_is_logged(run, account, members, mailoutbox):
    before = roles(account)
    transfer = offer(run, members, account)
    assert roles(account) == before
    assert transfer.status == "pending"
    assert transfer.expires_at - transfer.created_at == timedelta(days=7)
    assert recipients(mailoutbox) == both(members)
    to_admin = next(m for m in mailoutbox if m.to == [members["admin"].user.email])
    assert "offers you ownership" in to_admin.subject
    assert f"/a/{account.slug}/ownership-transfer/" in to_admin.body
    assert to_admin.alternatives and "ownership-transfer" in to_admin.alternatives[0][0]
    event = ActivityEvent.objects.get(action="account.ownership_transfer_offered")
    assert event.actor == members["owner"].user and event.target_user == members["admin"].user


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_ownership_is_offered_only_to_an_admin(account, members, role):
    with pytest.raises(TransferTargetNotAdmin):
        services.start_transfer(
            account=account, new_owner_membership_id=members[role].pk, actor=members["owner"].user
        )
    assert not OwnershipTransfer.objects.exists()


def test_ownership_is_not_offered_to_a_suspended_admin_or_oneself(account, members):
    members["admin"].status = "suspended"
    members["admin"].save()
    owner = members["owner"]
    with pytest.raises(TransferTargetNotAdmin):
        services.start_transfer(
            account=account, new_owner_membership_id=members["admin"].pk, actor=owner.user
        )
    with pytest.raises(CannotChangeSelf):
        services.start_transfer(account=account, new_owner_membership_id=owner.pk, actor=owner.user)
    assert not OwnershipTransfer.objects.exists()


def test_only_the_owner_offers_ownership(account, members):
    second_admin = MembershipFactory(account=account, role="admin")
    with pytest.raises(NotAllowed):
        services.start_transfer(
            account=account, new_owner_membership_id=second_admin.pk, actor=members["admin"].user
        )
    assert not OwnershipTransfer.objects.exists()


def test_one_offer_waits_at_a_time_until_it_expires(run, account, members):
    offer(run, members, account)
    second_admin = MembershipFactory(account=account, role="admin")
    with pytest.raises(TransferAlreadyPending):
        services.start_transfer(
            account=account, new_owner_membership_id=second_admin.pk, actor=members["owner"].user
        )
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        services.start_transfer(
            account=account, new_owner_membership_id=second_admin.pk, actor=members["owner"].user
        )
    assert sorted(OwnershipTransfer.objects.values_list("status", flat=True)) == [
        "expired",
        "pending",
    ]


# --- accepting ------------------------------------------------------------------------------


def test_accepting_swaps_owner_and_admin_emails_both_and_is_logged(
    run, account, members, mailoutbox
):
    transfer = offer(run, members, account)
    mailoutbox.clear()
    run(
        services.accept_transfer,
        account=account,
        transfer_id=transfer.pk,
        actor=members["admin"].user,
    )
    now = roles(account)
    assert (now[members["owner"].pk], now[members["admin"].pk]) == ("admin", "owner")
    assert list(now.values()).count("owner") == 1
    transfer.refresh_from_db()
    assert transfer.status == "accepted" and transfer.responded_at is not None
    assert recipients(mailoutbox) == both(members)
    event = ActivityEvent.objects.get(action="account.ownership_transferred")
    assert (event.old_value, event.new_value) == (
        members["owner"].user.email,
        members["admin"].user.email,
    )


def test_accepting_clears_an_end_date_the_admin_had(run, account, members):
    """The Owner's access never ends: an Admin's date would come back into force later."""
    admin = members["admin"]
    Membership.objects.filter(pk=admin.pk).update(
        access_until=timezone.now() + timedelta(days=3),
        access_until_set_by=members["owner"].user,
        access_reminded_days=7,
    )
    transfer = offer(run, members, account)
    run(services.accept_transfer, account=account, transfer_id=transfer.pk, actor=admin.user)
    admin.refresh_from_db()
    assert admin.role == "owner"
    assert (admin.access_until, admin.access_until_set_by, admin.access_reminded_days) == (
        None,
        None,
        None,
    )


def test_only_the_admin_it_is_offered_to_accepts(run, account, members):
    transfer = offer(run, members, account)
    other_admin = MembershipFactory(account=account, role="admin")
    before = roles(account)
    for actor in (other_admin.user, members["owner"].user):
        with pytest.raises(TransferClosed):
            services.accept_transfer(account=account, transfer_id=transfer.pk, actor=actor)
    assert roles(account) == before


def test_accepting_fails_cleanly_when_the_target_is_no_longer_an_admin(run, account, members):
    transfer = offer(run, members, account)
    people.change_level(
        account=account,
        membership_id=members["admin"].pk,
        level="manager",
        actor=members["owner"].user,
    )
    before = roles(account)
    # The demotion cancelled the offer (tests/transfers/test_review.py); were it still
    # pending, the acceptance would refuse a non-Admin all the same.
    OwnershipTransfer.objects.filter(pk=transfer.pk).update(status="pending")
    with pytest.raises(TransferTargetNotAdmin, match="no longer an Admin"):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    assert roles(account) == before


def test_a_suspended_target_cannot_accept(run, account, members):
    transfer = offer(run, members, account)
    people.suspend_member(
        account=account, membership_id=members["admin"].pk, actor=members["owner"].user
    )
    before = roles(account)
    with pytest.raises(AccessDenied):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    assert roles(account) == before


def test_a_revoked_target_cannot_accept(run, account, members):
    transfer = offer(run, members, account)
    people.revoke_member(
        account=account, membership_id=members["admin"].pk, actor=members["owner"].user
    )
    with pytest.raises(AccessDenied):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_an_offer_past_seven_days_cannot_be_accepted(run, account, members):
    transfer = offer(run, members, account)
    later = timezone.now() + timedelta(days=7, seconds=1)
    with time_machine.travel(later), pytest.raises(TransferClosed, match="expired"):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_an_offer_from_an_owner_who_is_no_longer_owner_cannot_be_accepted(run, account, members):
    transfer = offer(run, members, account)
    # The first offer's Admin accepts; the Owner changed. A stale offer (forced pending
    # again below, as a cancelled-then-reopened row would be) must not move ownership.
    run(
        services.accept_transfer,
        account=account,
        transfer_id=transfer.pk,
        actor=members["admin"].user,
    )
    stale = OwnershipTransfer.objects.create(
        account=account,
        from_user=members["owner"].user,
        to_user=MembershipFactory(account=account, role="admin").user,
        expires_at=timezone.now() + timedelta(days=1),
    )
    before = roles(account)
    with pytest.raises(TransferClosed, match="no longer the Owner"):
        services.accept_transfer(account=account, transfer_id=stale.pk, actor=stale.to_user)
    assert roles(account) == before


# --- declining, cancelling, expiring ---------------------------------------------------------


def test_declining_changes_nothing_emails_both_and_is_logged(run, account, members, mailoutbox):
    transfer = offer(run, members, account)
    mailoutbox.clear()
    before = roles(account)
    run(
        services.decline_transfer,
        account=account,
        transfer_id=transfer.pk,
        actor=members["admin"].user,
    )
    assert roles(account) == before
    assert OwnershipTransfer.objects.get(pk=transfer.pk).status == "declined"
    assert recipients(mailoutbox) == both(members)
    assert ActivityEvent.objects.filter(action="account.ownership_transfer_declined").count() == 1
    with pytest.raises(TransferClosed):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )


def test_the_owner_cancels_and_the_offer_can_no_longer_be_accepted(
    run, account, members, mailoutbox
):
    transfer = offer(run, members, account)
    mailoutbox.clear()
    with pytest.raises(NotAllowed):
        services.cancel_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    run(
        services.cancel_transfer,
        account=account,
        transfer_id=transfer.pk,
        actor=members["owner"].user,
    )
    assert recipients(mailoutbox) == both(members)
    assert ActivityEvent.objects.filter(action="account.ownership_transfer_cancelled").count() == 1
    with pytest.raises(TransferClosed):
        services.accept_transfer(
            account=account, transfer_id=transfer.pk, actor=members["admin"].user
        )
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_the_job_expires_unanswered_offers_once_and_emails_both(run, account, members, mailoutbox):
    transfer = offer(run, members, account)
    mailoutbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert run(services.expire_transfers) == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert run(services.expire_transfers) == 1
        assert run(services.expire_transfers) == 0  # idempotent
    assert OwnershipTransfer.objects.get(pk=transfer.pk).status == "expired"
    assert recipients(mailoutbox) == both(members)
    assert ActivityEvent.objects.filter(action="account.ownership_transfer_expired").count() == 1
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_the_expiry_job_runs_from_the_scheduled_jobs(run, account, members):
    from io import StringIO

    from django.core.management import call_command

    from people.management.commands.run_scheduled_jobs import JOBS

    assert "expire_ownership_transfers" in JOBS
    offer(run, members, account)
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("expire_ownership_transfers", stdout=out)
    assert "1 ownership transfer(s) expired." in out.getvalue()

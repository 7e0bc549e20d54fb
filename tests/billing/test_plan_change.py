"""Changing plan: invoices, the activity log, and downgrades refused until the account fits."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Account
from audit.models import ActivityEvent
from billing.exceptions import NotAllowedToManageBilling, PlanChangeBlocked, UnknownPlan
from billing.models import Invoice
from billing.services import change_plan
from memberships.models import Membership
from tests.factories import AccountFactory, BillingAddressFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(account=AccountFactory(plan="free"), role="owner")


def subscription_url(account):
    return reverse("billing:subscription", kwargs={"slug": account.slug})


def test_owner_changes_plan_and_an_invoice_is_issued(
    client_for, owner, mailoutbox, django_capture_on_commit_callbacks
):
    account = owner.account
    with django_capture_on_commit_callbacks(execute=True):
        # An upgrade applies once its price is confirmed (test_plan_change_confirmation.py).
        response = client_for(owner.user).post(
            subscription_url(account), {"plan": "standard", "confirmed_price_cents": "2000"}
        )
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.plan == "standard"
    invoice = Invoice.objects.get(account=account)
    assert invoice.sequence == 1
    assert invoice.number == f"R{account.pk:05d}-0001"
    assert invoice.plan == "standard"
    assert invoice.previous_plan == "free"
    assert invoice.amount_cents == 2000
    assert invoice.currency == "USD"
    assert invoice.status == "open"
    assert invoice.period_end > invoice.period_start
    event = ActivityEvent.objects.get(account=account, action="billing.plan_changed")
    assert (event.old_value, event.new_value, event.actor) == ("Free", "Standard", owner.user)
    assert [m.to for m in mailoutbox] == [[owner.user.email]]
    assert invoice.number in mailoutbox[0].subject

    page = client_for(owner.user).get(subscription_url(account)).content.decode()
    assert "Current plan: Standard" in page
    assert invoice.number in page


def test_invoice_numbers_are_sequential_per_account(owner):
    account = owner.account
    for plan in ["essentials", "standard", "premium"]:
        change_plan(account=account, plan=plan, actor=owner.user)
    assert list(
        Invoice.objects.filter(account=account).order_by("sequence").values_list("sequence", "plan")
    ) == [
        (1, "essentials"),
        (2, "standard"),
        (3, "premium"),
    ]
    other = MembershipFactory(account=AccountFactory(plan="free"), role="owner")
    invoice = change_plan(account=other.account, plan="premium", actor=other.user)
    assert invoice.sequence == 1
    assert invoice.number != Invoice.objects.get(account=account, sequence=1).number


def test_free_plan_invoice_is_paid_and_uses_billing_address(owner):
    account = owner.account
    account.plan = "standard"
    account.save()
    BillingAddressFactory(account=account, contact_name="Ana Lopez", billing_email="pay@x.test")
    invoice = change_plan(account=account, plan="free", actor=owner.user)
    assert invoice.amount_cents == 0
    assert invoice.status == "paid"
    assert invoice.bill_to_lines()[0] == "Ana Lopez"


def test_choosing_the_current_plan_is_refused_by_the_form(client_for, owner):
    response = client_for(owner.user).post(subscription_url(owner.account), {"plan": "free"})
    assert response.status_code == 200
    assert "already on Free" in response.content.decode()
    assert not Invoice.objects.exists()


def test_unknown_plan_is_refused(client_for, owner):
    response = client_for(owner.user).post(subscription_url(owner.account), {"plan": "gold"})
    assert response.status_code == 200
    assert Account.objects.get(pk=owner.account.pk).plan == "free"
    with pytest.raises(UnknownPlan):
        change_plan(account=owner.account, plan="gold", actor=owner.user)


def test_service_refuses_a_member_without_billing_permission(members):
    account = members["owner"].account
    with pytest.raises(NotAllowedToManageBilling):
        change_plan(account=account, plan="free", actor=members["admin"].user)
    assert Account.objects.get(pk=account.pk).plan == "premium"


def test_downgrade_is_refused_with_every_blocker_listed(client_for, members, make_invitation):
    account = members["owner"].account  # premium: owner, admin, manager, author, viewer
    make_invitation(account, "newcomer@example.test", role="manager")
    response = client_for(members["owner"].user).post(
        subscription_url(account), {"plan": "standard"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before moving to Standard, change these first" in page
    assert members["manager"].user.email in page
    assert "Invitation to newcomer@example.test" in page
    assert "6 seats in use" in page
    assert members["viewer"].user.email not in page  # Viewer is offered by Standard
    # Nothing was applied.
    assert Account.objects.get(pk=account.pk).plan == "premium"
    assert not Invoice.objects.filter(account=account).exists()
    assert not ActivityEvent.objects.filter(account=account).exists()


def test_downgrade_to_free_lists_every_non_owner(members):
    account = members["owner"].account
    with pytest.raises(PlanChangeBlocked) as refused:
        change_plan(account=account, plan="free", actor=members["owner"].user)
    who = " ".join(b.who for b in refused.value.blockers)
    for role in ["admin", "manager", "author", "viewer"]:
        assert members[role].user.email in who
    assert members["owner"].user.email not in who
    assert "5 seats in use" in who


def test_suspended_members_block_a_downgrade_too(members):
    account = members["owner"].account
    members["manager"].status = "suspended"
    members["manager"].save()
    with pytest.raises(PlanChangeBlocked) as refused:
        change_plan(account=account, plan="standard", actor=members["owner"].user)
    assert any(members["manager"].user.email in b.who for b in refused.value.blockers)


def test_downgrade_is_allowed_once_blockers_are_fixed(client_for, members, make_invitation):
    account = members["owner"].account
    invitation = make_invitation(account, "newcomer@example.test", role="manager")
    owner = client_for(members["owner"].user)
    assert owner.post(subscription_url(account), {"plan": "standard"}).status_code == 200

    Membership.objects.filter(pk=members["manager"].pk).update(role="author")
    invitation.status = "cancelled"
    invitation.save()

    response = owner.post(subscription_url(account), {"plan": "standard"})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).plan == "standard"
    assert Invoice.objects.filter(account=account, plan="standard").count() == 1


def test_seat_limit_alone_blocks_a_downgrade(make_invitation):
    owner = MembershipFactory(account=AccountFactory(plan="standard"), role="owner")
    account = owner.account
    MembershipFactory(account=account, role="admin")
    make_invitation(account, "a@example.test", role="admin")
    make_invitation(account, "b@example.test", role="admin")
    with pytest.raises(PlanChangeBlocked) as refused:
        change_plan(account=account, plan="essentials", actor=owner.user)
    [blocker] = refused.value.blockers
    assert blocker.who == "4 seats in use"
    assert "for 1 of them" in blocker.fix


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_plan_changes_get_distinct_sequential_invoices():
    owner = MembershipFactory(account=AccountFactory(plan="free"), role="owner")
    barrier = threading.Barrier(4)
    errors = []

    def change(plan):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            change_plan(account=owner.account, plan=plan, actor=owner.user)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=change, args=(p,))
        for p in ["essentials", "standard", "premium", "essentials"]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    sequences = sorted(
        Invoice.objects.filter(account=owner.account).values_list("sequence", flat=True)
    )
    assert sequences == list(range(1, len(sequences) + 1))
    assert len(sequences) >= 3  # a repeated plan may be a no-op, never a duplicate number


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_downgrade_racing_an_invitation_never_leaves_an_off_plan_invitation():
    from invitations.models import Invitation
    from invitations.services import invite_users

    errors = []
    for _round in range(3):
        owner = MembershipFactory(account=AccountFactory(plan="premium"), role="owner")
        account = owner.account
        barrier = threading.Barrier(2)

        def downgrade(account=account, owner=owner, barrier=barrier):
            from django.db import connection as thread_connection

            barrier.wait()
            try:
                change_plan(account=account, plan="standard", actor=owner.user)
            except PlanChangeBlocked:
                pass
            except Exception as error:  # asserted below
                errors.append(error)
            finally:
                thread_connection.close()

        def invite(account=account, owner=owner, barrier=barrier):
            from django.db import connection as thread_connection

            from invitations.exceptions import InvitationError

            barrier.wait()
            try:
                invite_users(
                    accounts=[account], emails=["m@example.test"], level="manager", actor=owner.user
                )
            except InvitationError:
                pass
            except Exception as error:  # asserted below
                errors.append(error)
            finally:
                thread_connection.close()

        threads = [threading.Thread(target=downgrade), threading.Thread(target=invite)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        account.refresh_from_db()
        manager_invited = Invitation.objects.filter(
            account=account, role="manager", status="pending"
        ).exists()
        # Exactly one of them won; never both.
        assert (account.plan == "standard") != manager_invited


def test_subscription_page_shows_seats_and_levels(client_for, make_invitation):
    owner = MembershipFactory(account=AccountFactory(plan="standard"), role="owner")
    MembershipFactory(account=owner.account, role="author")
    make_invitation(owner.account, "soon@example.test", role="viewer")
    page = client_for(owner.user).get(subscription_url(owner.account)).content.decode()
    assert 'data-testid="seats-used">3 of 5<' in page
    assert 'data-testid="seats-available">2<' in page
    assert "Owner, Admin, Author, Viewer" in page

"""The transfer pages from outside: the Owner's offer and cancel, the Admin's banner, review,
accept (with their password) and decline; other accounts 404, lower levels 403."""

import pytest
from django.urls import reverse

from audit.models import ActivityEvent
from memberships.models import Membership
from tests.factories import TEST_PASSWORD
from transfers.models import OwnershipTransfer

pytestmark = pytest.mark.django_db


def url(name, account):
    return reverse(name, kwargs={"slug": account.slug})


@pytest.fixture
def offered(client_for, account, members):
    """The Owner offers ownership to the Admin through the transfer page."""
    response = client_for(members["owner"].user).post(
        url("people:transfer", account),
        {"new_owner": members["admin"].pk, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    return OwnershipTransfer.objects.get(account=account, status="pending")


def test_the_owners_transfer_page_shows_the_waiting_offer_with_cancel(
    client_for, account, members, offered
):
    body = client_for(members["owner"].user).get(url("people:transfer", account)).content.decode()
    assert "You stay the Owner until they accept" in body
    assert "Cancel the transfer" in body
    assert 'name="new_owner"' not in body  # no second offer while one waits
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_the_admin_sees_a_banner_on_the_overview_and_the_owner_sees_theirs(
    client_for, account, members, offered
):
    admin_body = client_for(members["admin"].user).get(url("overview", account)).content.decode()
    assert "offers you ownership" in admin_body
    assert url("transfers:review", account) in admin_body
    owner_body = client_for(members["owner"].user).get(url("overview", account)).content.decode()
    assert "You offered ownership" in owner_body
    viewer_body = client_for(members["viewer"].user).get(url("overview", account)).content.decode()
    assert "ownership-transfer-banner" not in viewer_body


def test_accepting_needs_the_admins_password(client_for, account, members, offered):
    client = client_for(members["admin"].user)
    review = url("transfers:review", account)
    assert "Accept ownership" in client.get(review).content.decode()
    wrong = client.post(review, {"transfer": offered.pk, "password": "not-it"})
    assert wrong.status_code == 200
    assert "That is not your current password." in wrong.content.decode()
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"
    right = client.post(review, {"transfer": offered.pk, "password": TEST_PASSWORD})
    assert right.status_code == 302 and right["Location"] == url("overview", account)
    assert Membership.objects.get(pk=members["admin"].pk).role == "owner"
    assert Membership.objects.get(pk=members["owner"].pk).role == "admin"


def test_accepting_after_being_demoted_finds_no_offer_and_changes_nothing(
    client_for, account, members, offered
):
    client = client_for(members["admin"].user)
    client_for(members["owner"].user).post(
        reverse("people:edit_level", args=[account.slug, members["admin"].pk]),
        {"level": "manager"},
    )
    response = client.post(
        url("transfers:review", account), {"transfer": offered.pk, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    # The demotion cancelled the offer (tests/transfers/test_review.py; both were emailed why).
    assert "No transfer of ownership" in response.content.decode()
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_a_stale_or_forged_transfer_id_changes_nothing(client_for, account, members, offered):
    client = client_for(members["admin"].user)
    for forged in (offered.pk + 1000, "99999999999999999999999", "x", ""):
        response = client.post(
            url("transfers:review", account), {"transfer": forged, "password": TEST_PASSWORD}
        )
        assert response.status_code == 200
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_declining_from_the_review_page(client_for, account, members, offered):
    response = client_for(members["admin"].user).post(
        url("transfers:decline", account), {"transfer": offered.pk}
    )
    assert response.status_code == 302
    assert OwnershipTransfer.objects.get(pk=offered.pk).status == "declined"
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_the_owner_cancels_from_the_transfer_page(client_for, account, members, offered):
    response = client_for(members["owner"].user).post(
        url("transfers:cancel", account), {"transfer": offered.pk}
    )
    assert response.status_code == 302
    assert OwnershipTransfer.objects.get(pk=offered.pk).status == "cancelled"


def test_nobody_else_can_accept_decline_or_cancel(client_for, account, members, offered):
    for role in ("manager", "viewer"):
        client = client_for(members[role].user)
        page = client.get(url("transfers:review", account)).content.decode()
        assert "No transfer of ownership" in page
        client.post(
            url("transfers:review", account), {"transfer": offered.pk, "password": TEST_PASSWORD}
        )
        client.post(url("transfers:decline", account), {"transfer": offered.pk})
        # Cancelling is the Owner's: a lower level gets a 403.
        response = client.post(url("transfers:cancel", account), {"transfer": offered.pk})
        assert response.status_code == 403
    assert (
        client_for(members["admin"].user)
        .post(url("transfers:cancel", account), {"transfer": offered.pk})
        .status_code
        == 403
    )
    assert OwnershipTransfer.objects.get(pk=offered.pk).status == "pending"
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_another_accounts_members_get_404(client_for, account, members, offered, other_account):
    outsider = other_account.memberships.get(role="owner").user
    client = client_for(outsider)
    for name in ("transfers:review", "transfers:decline", "transfers:cancel"):
        assert client.get(url(name, account)).status_code == 404
        assert client.post(url(name, account), {"transfer": offered.pk}).status_code == 404
    assert OwnershipTransfer.objects.get(pk=offered.pk).status == "pending"
    assert not ActivityEvent.objects.filter(account=account, actor=outsider).exists()

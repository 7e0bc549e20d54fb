"""A plan change that costs more asks for confirmation, stating the price and the charge date."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from audit.models import ActivityEvent
from billing.models import Invoice
from tests.factories import AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return MembershipFactory(account=AccountFactory(plan="free"), role="owner")


def subscription_url(account):
    return reverse("billing:subscription", kwargs={"slug": account.slug})


def test_upgrade_shows_price_and_charge_date_and_changes_nothing(client_for, owner, mailoutbox):
    account = owner.account
    response = client_for(owner.user).post(subscription_url(account), {"plan": "standard"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Move" in page and "to Standard?" in page
    assert "20.00 USD" in page
    assert f"{timezone.localdate():%-d %b %Y}" in page
    assert 'name="confirmed_price_cents" value="2000"' in page
    assert "Confirm and pay 20.00 USD" in page
    assert Account.objects.get(pk=account.pk).plan == "free"
    assert not Invoice.objects.exists()
    assert not ActivityEvent.objects.filter(account=account).exists()
    assert mailoutbox == []


def test_confirmed_upgrade_is_applied_and_invoiced(client_for, owner):
    account = owner.account
    response = client_for(owner.user).post(
        subscription_url(account), {"plan": "standard", "confirmed_price_cents": "2000"}
    )
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).plan == "standard"
    assert Invoice.objects.get(account=account).amount_cents == 2000


def test_confirmation_of_another_price_asks_again(client_for, owner, settings):
    account = owner.account
    settings.PLAN_PRICES = {**settings.PLAN_PRICES, "standard": 2500}
    response = client_for(owner.user).post(
        subscription_url(account), {"plan": "standard", "confirmed_price_cents": "2000"}
    )
    assert response.status_code == 200
    assert "25.00 USD" in response.content.decode()
    assert Account.objects.get(pk=account.pk).plan == "free"
    assert not Invoice.objects.exists()


def test_downgrade_applies_without_confirmation(client_for):
    owner = MembershipFactory(account=AccountFactory(plan="premium"), role="owner")
    response = client_for(owner.user).post(subscription_url(owner.account), {"plan": "standard"})
    assert response.status_code == 302
    assert Account.objects.get(pk=owner.account.pk).plan == "standard"


def test_blocked_upgrade_lists_blockers_instead_of_asking_for_a_price(client_for, owner):
    account = owner.account
    MembershipFactory(account=account, role="manager")  # Essentials offers no Manager level
    response = client_for(owner.user).post(subscription_url(account), {"plan": "essentials"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Before moving to Essentials, change these first" in page
    assert 'confirmed_price_cents" value="1300"' not in page
    assert Account.objects.get(pk=account.pk).plan == "free"

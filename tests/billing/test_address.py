import pytest
from django.urls import reverse

from audit.models import ActivityEvent
from billing.models import BillingAddress
from tests.billing.test_pages import ADDRESS

pytestmark = pytest.mark.django_db


def address_url(account):
    return reverse("billing:address", kwargs={"slug": account.slug})


def test_owner_saves_the_billing_address(client_for, members):
    account = members["owner"].account
    response = client_for(members["owner"].user).post(
        address_url(account), {**ADDRESS, "tax_id": "esb 1234 5678", "postal_code": "sw1a 1aa"}
    )
    assert response.status_code == 302
    address = BillingAddress.objects.get(account=account)
    assert address.country == "ES"
    assert address.country_name == "Spain"
    assert address.tax_id == "ESB12345678"
    assert address.postal_code == "SW1A 1AA"
    event = ActivityEvent.objects.get(account=account, action="billing.address_changed")
    assert event.actor == members["owner"].user


def test_saving_the_same_address_twice_records_one_change(client_for, members):
    account = members["owner"].account
    client = client_for(members["owner"].user)
    client.post(address_url(account), ADDRESS)
    client.post(address_url(account), ADDRESS)
    assert ActivityEvent.objects.filter(action="billing.address_changed").count() == 1
    client.post(address_url(account), {**ADDRESS, "city": "Sevilla"})
    events = ActivityEvent.objects.filter(action="billing.address_changed")
    assert events.count() == 2
    assert events.first().new_value == "city"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_name", "  ", "Enter the name of the billing contact."),
        ("address_line1", "", "Enter the street address."),
        ("city", "", "Enter the city."),
        ("country", "XX", "Choose a country from the list."),
        ("country", "", "Choose a country from the list."),
        ("postal_code", "28013!", "Use letters, digits, spaces and hyphens only"),
        ("tax_id", "ES/123", "Use letters and digits only"),
        ("billing_email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_each_field_is_validated(client_for, members, field, value, message):
    account = members["owner"].account
    response = client_for(members["owner"].user).post(
        address_url(account), {**ADDRESS, field: value}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BillingAddress.objects.filter(account=account).exists()


def test_country_list_is_the_iso_list(client_for, members):
    page = (
        client_for(members["owner"].user)
        .get(address_url(members["owner"].account))
        .content.decode()
    )
    assert '<option value="DE">Germany</option>' in page
    assert '<option value="JP">Japan</option>' in page

"""Who may open Billing: the Owner; Admins only when the Owner allows it; 404 for outsiders."""

import pytest
from django.urls import reverse

from accounts.models import Account
from audit.models import ActivityEvent
from billing.models import BillingAddress, Invoice
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "billing:subscription",
    "billing:address",
    "billing:invoices",
    "billing:invoice",
    "billing:invoice_pdf",
    "billing:invoice_csv",
]
ADDRESS = {
    "contact_name": "Ana Lopez",
    "company": "Lopez Bakery",
    "address_line1": "Calle Mayor 1",
    "postal_code": "28013",
    "city": "Madrid",
    "country": "ES",
    "tax_id": "ESB12345678",
    "billing_email": "billing@lopez.test",
}


@pytest.fixture
def invoice(account):
    return InvoiceFactory(account=account, sequence=1)


def page_url(name, account, invoice):
    kwargs = {"slug": account.slug}
    if name.startswith("billing:invoice") and name != "billing:invoices":
        kwargs["number"] = invoice.number
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("admin", 403), ("manager", 403), ("author", 403), ("viewer", 403)],
)
def test_billing_page_by_level(client_for, members, invoice, name, role, expected):
    response = client_for(members[role].user).get(page_url(name, members[role].account, invoice))
    assert response.status_code == expected


@pytest.mark.parametrize("name", PAGES)
def test_admin_opens_billing_only_after_owner_allows_it(client_for, members, invoice, name):
    account = members["owner"].account
    admin = client_for(members["admin"].user)
    assert admin.get(page_url(name, account, invoice)).status_code == 403

    owner = client_for(members["owner"].user)
    response = owner.post(
        reverse("account_settings:billing_access", kwargs={"slug": account.slug}),
        {"enabled": "on"},
    )
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).admins_can_manage_billing is True
    assert admin.get(page_url(name, account, invoice)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_member_of_another_account_gets_404(client_for, members, other_account, invoice, name):
    outsider = other_account.memberships.get(role="owner").user
    response = client_for(outsider).get(page_url(name, members["owner"].account, invoice))
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["billing:invoice", "billing:invoice_pdf", "billing:invoice_csv"])
def test_invoice_of_another_account_is_404_even_for_an_owner(
    client_for, members, other_account, name
):
    foreign = InvoiceFactory(account=other_account, sequence=1)
    account = members["owner"].account
    url = reverse(name, kwargs={"slug": account.slug, "number": foreign.number})
    assert client_for(members["owner"].user).get(url).status_code == 404


def test_sidebar_links_billing_for_owner_and_hides_it_from_admin(client_for, members):
    account = members["owner"].account
    billing_url = reverse("billing:subscription", kwargs={"slug": account.slug})
    overview = reverse("overview", kwargs={"slug": account.slug})
    assert billing_url in client_for(members["owner"].user).get(overview).content.decode()
    assert billing_url not in client_for(members["admin"].user).get(overview).content.decode()
    account.admins_can_manage_billing = True
    account.save()
    assert billing_url in client_for(members["admin"].user).get(overview).content.decode()


@pytest.mark.parametrize("role", ["admin", "manager", "author", "viewer"])
def test_forged_plan_change_is_refused_and_changes_nothing(client_for, members, role):
    account = members["owner"].account
    response = client_for(members[role].user).post(
        reverse("billing:subscription", kwargs={"slug": account.slug}), {"plan": "free"}
    )
    assert response.status_code == 403
    assert Account.objects.get(pk=account.pk).plan == "premium"
    assert not Invoice.objects.filter(account=account).exists()
    assert not ActivityEvent.objects.filter(account=account).exists()


@pytest.mark.parametrize("role", ["admin", "manager", "author", "viewer"])
def test_forged_address_change_is_refused_and_changes_nothing(client_for, members, role):
    account = members["owner"].account
    response = client_for(members[role].user).post(
        reverse("billing:address", kwargs={"slug": account.slug}), ADDRESS
    )
    assert response.status_code == 403
    assert not BillingAddress.objects.filter(account=account).exists()


def test_outsider_cannot_change_plan_of_another_account(client_for, members, other_account):
    outsider = other_account.memberships.get(role="owner").user
    account = members["owner"].account
    response = client_for(outsider).post(
        reverse("billing:subscription", kwargs={"slug": account.slug}), {"plan": "free"}
    )
    assert response.status_code == 404
    assert Account.objects.get(pk=account.pk).plan == "premium"


def test_anonymous_is_sent_to_login(client, account):
    response = client.get(reverse("billing:subscription", kwargs={"slug": account.slug}))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

"""Each invoice opens as a printable page and downloads as a real PDF and CSV."""

import csv
import io

import pytest
from django.urls import reverse

from billing.services import change_plan
from tests.factories import AccountFactory, BillingAddressFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    owner = MembershipFactory(
        account=AccountFactory(plan="free", name="Lopez Bakery"), role="owner"
    )
    BillingAddressFactory(account=owner.account, contact_name="Ana Lopez", city="Madrid")
    invoice = change_plan(account=owner.account, plan="standard", actor=owner.user)
    invoice.owner = owner.user
    return invoice


def url(name, invoice):
    return reverse(name, kwargs={"slug": invoice.account.slug, "number": invoice.number})


def test_invoice_list_links_each_invoice(client_for, invoice):
    page = (
        client_for(invoice.owner)
        .get(reverse("billing:invoices", kwargs={"slug": invoice.account.slug}))
        .content.decode()
    )
    assert url("billing:invoice", invoice) in page
    assert url("billing:invoice_pdf", invoice) in page
    assert url("billing:invoice_csv", invoice) in page


def test_printable_invoice_page(client_for, invoice):
    response = client_for(invoice.owner).get(url("billing:invoice", invoice))
    page = response.content.decode()
    assert f"Invoice {invoice.number}" in page
    assert "Ana Lopez" in page
    assert "20.00 USD" in page
    assert "billing/invoice.css" in page
    assert 'style="' not in page.split("<main", 1)[1]  # CSP: no inline styles


def test_pdf_download_is_a_pdf(client_for, invoice):
    response = client_for(invoice.owner).get(url("billing:invoice_pdf", invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="invoice-{invoice.number}.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert len(response.content) > 1000


def test_csv_download_parses(client_for, invoice):
    response = client_for(invoice.owner).get(url("billing:invoice_csv", invoice))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows == [
        {
            "number": invoice.number,
            "date": invoice.issued_at.date().isoformat(),
            "period_start": invoice.period_start.isoformat(),
            "period_end": invoice.period_end.isoformat(),
            "plan": "Standard",
            "amount": "20.00",
            "currency": "USD",
            "status": "open",
        }
    ]


def test_pdf_survives_names_outside_latin1(client_for, invoice):
    invoice.account.name = "Пекарня 東京"
    invoice.account.save()
    response = client_for(invoice.owner).get(url("billing:invoice_pdf", invoice))
    assert response.content.startswith(b"%PDF-")


def test_invoice_list_costs_the_same_queries_at_any_size(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import InvoiceFactory

    owner = MembershipFactory(account=AccountFactory(plan="premium"), role="owner")
    client = client_for(owner.user)
    url = reverse("billing:invoices", kwargs={"slug": owner.account.slug})
    client.get(url)  # warm-up: the first request also writes the session records
    counts = []
    for total, more in ((3, 3), (33, 30)):
        InvoiceFactory.create_batch(more, account=owner.account)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count("data-invoice=") == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

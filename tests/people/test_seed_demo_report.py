"""seed_demo: reports what the database holds, adds a staff login and a first page of activity."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import Account, User
from audit.models import ActivityEvent
from invitations.models import Invitation
from people.management.commands.seed_demo import DEMO_PASSWORD
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def reported(output: str, noun: str) -> tuple[int, ...]:
    """(total, new) for a noun of the report line, e.g. "accounts" -> (2, 2)."""
    match = re.search(rf"(\d+) {noun}(?: \((\d+) new)?", output)
    assert match, output
    return tuple(int(n) for n in match.groups() if n is not None)


def test_seed_demo_reports_the_counts_the_database_holds_not_a_fixed_text():
    AccountFactory()  # someone else's data is counted too
    UserFactory()
    first = seed()
    assert reported(first, "accounts") == (Account.objects.count(), 2)
    assert reported(first, "people") == (User.objects.count(), 7)
    assert reported(first, "pending invitations") == (
        Invitation.objects.filter(status="pending").count(),
        2,
    )
    assert reported(first, "activity events") == (ActivityEvent.objects.count(),)
    again = seed()
    assert reported(again, "accounts") == (Account.objects.count(), 0)
    assert reported(again, "people") == (User.objects.count(), 0)
    assert len(first.strip().splitlines()) == 1  # one line for `make run`


def test_seed_demo_restores_a_pending_invitation_that_was_cancelled():
    seed()
    Invitation.objects.filter(email="new.hire@acme.test").update(status="cancelled")
    assert reported(seed(), "pending invitations") == (2, 1)


def test_the_staff_demo_login_opens_the_back_office():
    seed()
    staff = User.objects.get(email="staff@roster.test")
    assert staff.is_staff and staff.is_superuser
    assert not staff.memberships.exists()
    client = Client()
    response = client.post(
        reverse("admin:login"),
        {"username": "staff@roster.test", "password": DEMO_PASSWORD, "next": "/django-admin/"},
    )
    assert response.status_code == 302
    assert client.get("/django-admin/").status_code == 200


def test_the_demo_activity_log_has_rows_and_is_written_once():
    seed()
    acme = Account.objects.get(slug="acme")
    owner = User.objects.get(email="owner@acme.test")
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("audit:activity", kwargs={"slug": acme.slug}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "new.hire@acme.test" in html and "Level changed" in html
    rows = ActivityEvent.objects.filter(account=acme).count()
    assert rows >= 5
    assert ActivityEvent.objects.filter(account__slug="globex").exists()
    seed()
    assert ActivityEvent.objects.filter(account=acme).count() == rows

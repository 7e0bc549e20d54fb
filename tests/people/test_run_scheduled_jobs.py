"""run_scheduled_jobs: development's cron runs every scheduled job, once or on a timer."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import Account
from invitations.models import Invitation
from people.management.commands import run_scheduled_jobs
from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


def test_once_runs_expiry_reminders_and_purge_each_once(
    members, mailoutbox, django_capture_on_commit_callbacks
):
    account = members["owner"].account
    lapsed = InvitationFactory(account=account, created_at=timezone.now() - timedelta(days=8))
    expiring = InvitationFactory(account=account, created_at=timezone.now() - timedelta(days=6))
    closed = Account.objects.create(name="Gone Ltd", slug="gone", plan="free")
    Account.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduled_jobs", "--once", stdout=out)
    lapsed.refresh_from_db()
    assert lapsed.status == "expired"
    assert [m.to for m in mailoutbox] == [[expiring.email]]  # one reminder
    assert Invitation.objects.get(pk=expiring.pk).reminder_sent_at is not None
    assert not Account.objects.filter(pk=closed.pk).exists()
    lines = out.getvalue().splitlines()
    assert [line.split("] ")[1].split(":")[0] for line in lines] == list(run_scheduled_jobs.JOBS)
    assert "1 invitation(s) expired" in lines[0] and "Deleted 1 account(s)" in lines[2]


def test_every_repeats_the_jobs_after_the_interval(db, monkeypatch):
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(run_scheduled_jobs.time, "sleep", sleep)
    out = StringIO()
    with pytest.raises(KeyboardInterrupt):
        call_command("run_scheduled_jobs", "--every", "3600", stdout=out)
    assert waits == [3600, 3600]
    assert out.getvalue().count("expire_invitations:") == 2


@pytest.mark.parametrize("args", [[], ["--every", "0"], ["--once", "--every", "5"]])
def test_it_needs_once_or_a_positive_interval(db, args):
    with pytest.raises(CommandError):
        call_command("run_scheduled_jobs", *args, stdout=StringIO())

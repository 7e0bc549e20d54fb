"""The scheduled jobs without a cron, for development (`make worker` runs this).

Production runs each job from cron or a systemd timer (README "Scheduled jobs"); this runs the
very same commands, in order, once (`--once`) or every N seconds (`--every 3600`). Each job is
safe to run repeatedly, so a restart that runs them again early does no harm.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

JOBS = (
    "expire_invitations",
    "send_invitation_reminders",
    "purge_closed_accounts",
    "expire_access",
    "expire_join_requests",
    "expire_ownership_transfers",
    "purge_sms_codes",
)


class Command(BaseCommand):
    help = "Run the scheduled jobs (expiries, reminders, purge) once or every N seconds."

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group(required=True)
        when.add_argument("--once", action="store_true", help="Run each job once and exit.")
        when.add_argument(
            "--every", type=int, metavar="SECONDS", help="Run them now, then every SECONDS."
        )

    def handle(self, *args, once=False, every=None, **options):
        if every is not None and every < 1:
            raise CommandError("--every needs a number of seconds of at least 1.")
        while True:
            self.run_jobs()
            if once:
                return
            time.sleep(every)

    def run_jobs(self):
        stamp = timezone.now().strftime("%H:%M:%S UTC")
        for job in JOBS:
            self.stdout.write(f"[{stamp}] {job}: ", ending="")
            call_command(job, stdout=self.stdout, stderr=self.stderr)

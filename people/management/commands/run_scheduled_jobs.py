"""The scheduled jobs without a cron, for development (`make worker` runs this).

Production runs each job from cron or a systemd timer (README "Scheduled jobs"); this runs the
very same commands, in order, once (`--once`) or every N seconds (`--every 3600`). Each job is
safe to run repeatedly, so a restart that runs them again early does no harm. A job that
raises is logged and the others still run; `--once` then exits non-zero.
"""

import logging
import time
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

logger = logging.getLogger(__name__)

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
            failed = self.run_jobs()
            if once:
                if failed:
                    raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}.")
                return
            time.sleep(every)

    def run_jobs(self) -> list[str]:
        """Run every job, even after one raised; the names of those that raised."""
        stamp = timezone.now().strftime("%H:%M:%S UTC")
        failed = []
        for job in JOBS:
            output = StringIO()
            try:
                call_command(job, stdout=output, stderr=self.stderr)
            # Deliberately broad: the jobs are independent, so one failing (a bug, a lock
            # timeout) must not stop the others. Logged with its traceback.
            except Exception as error:
                logger.exception("Scheduled job %s failed", job)
                self.stderr.write(f"{job} failed: {error}")
                failed.append(job)
                output.write("Failed (see the errors).")
            said = " ".join(line.strip() for line in output.getvalue().splitlines() if line)
            self.stdout.write(f"[{stamp}] {job}: {said}")
        return failed

from django.core.management.base import BaseCommand, CommandError

from people.services import expire_access


class Command(BaseCommand):
    help = (
        "Remind members whose access ends within 7 days or 1 day, and suspend those whose "
        "access has ended (run hourly, with expire_invitations)."
    )

    def handle(self, *args, **options):
        run = expire_access(actor=None)
        self.stdout.write(
            f"{run.reminded} access reminder(s) queued, {run.suspended} membership(s) suspended."
        )
        if run.failed:
            ids = ", ".join(str(pk) for pk in run.failed)
            raise CommandError(f"Access expiry failed for account(s) {ids} (see the log).")

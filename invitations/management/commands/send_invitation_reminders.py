from django.core.management.base import BaseCommand

from invitations.services import send_invitation_reminders


class Command(BaseCommand):
    help = "Queue one reminder for each invitation that expires within two days (run hourly)."

    def handle(self, *args, **options):
        count = send_invitation_reminders(actor=None)
        self.stdout.write(f"{count} reminder(s) queued.")

from django.core.management.base import BaseCommand

from invitations.services import expire_invitations


class Command(BaseCommand):
    help = "Mark pending invitations past their expiry as expired (run hourly)."

    def handle(self, *args, **options):
        count = expire_invitations(actor=None)
        self.stdout.write(f"{count} invitation(s) expired.")

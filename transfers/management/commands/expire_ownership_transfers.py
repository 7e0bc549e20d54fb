from django.core.management.base import BaseCommand

from transfers.services import expire_transfers


class Command(BaseCommand):
    help = "Mark ownership transfers not answered in time as expired and tell both people."

    def handle(self, *args, **options):
        count = expire_transfers(actor=None)
        self.stdout.write(f"{count} ownership transfer(s) expired.")

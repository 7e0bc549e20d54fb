from django.core.management.base import BaseCommand

from joining.services import expire_join_requests


class Command(BaseCommand):
    help = "Mark requests to join that nobody answered within 30 days as expired."

    def handle(self, *args, **options):
        count = expire_join_requests(actor=None)
        self.stdout.write(f"{count} request(s) to join expired.")

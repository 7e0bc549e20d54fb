from django.conf import settings
from django.core.management.base import BaseCommand

from account_settings.services import purge_closed_accounts


class Command(BaseCommand):
    help = (
        "Delete accounts closed longer than CLOSED_ACCOUNT_RETENTION ago, with everything in "
        "them. Safe to run repeatedly (for example daily from cron)."
    )

    def handle(self, *args, **options):
        deleted = purge_closed_accounts()
        days = settings.CLOSED_ACCOUNT_RETENTION.days
        self.stdout.write(f"Deleted {deleted} account(s) closed more than {days} days ago.")

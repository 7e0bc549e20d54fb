from django.core.management.base import BaseCommand

from memberships.member_counts import reconcile_member_counts


class Command(BaseCommand):
    help = "Recount each account's members where the PostgreSQL triggers were bypassed."

    def handle(self, *args, **options):
        drifted = reconcile_member_counts()
        for account_id, kept, real in drifted:
            self.stdout.write(f"account {account_id}: count was {kept}, set to {real}")
        self.stdout.write(f"{len(drifted)} account count(s) corrected.")

from django.core.management.base import BaseCommand

from invitations.pending_counts import reconcile_pending_invitation_counts
from memberships.member_counts import reconcile_member_counts


class Command(BaseCommand):
    help = (
        "Recount each account's members and pending invitations where the PostgreSQL"
        " triggers were bypassed."
    )

    def handle(self, *args, **options):
        drifted = reconcile_member_counts()
        for account_id, kept, real in drifted:
            self.stdout.write(f"account {account_id}: count was {kept}, set to {real}")
        self.stdout.write(f"{len(drifted)} account count(s) corrected.")
        drifted = reconcile_pending_invitation_counts()
        for account_id, kept, real in drifted:
            self.stdout.write(
                f"account {account_id}: pending invitations were {kept}, set to {real}"
            )
        self.stdout.write(f"{len(drifted)} pending-invitation count(s) corrected.")

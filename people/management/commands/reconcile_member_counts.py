from django.core.management.base import BaseCommand

from invitations.pending_counts import reconcile_pending_invitation_counts
from memberships.member_counts import reconcile_member_counts, reconcile_user_email_copies


class Command(BaseCommand):
    help = (
        "Recount each account's members and pending invitations, and copy each member's email"
        " to their memberships, where the triggers were bypassed."
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
        stale = reconcile_user_email_copies()
        for membership_id, kept, _email in stale:
            # Ids only: deploy logs get no email addresses.
            was = "empty" if kept == "" else "another address"
            self.stdout.write(
                f"membership {membership_id}: email copy was {was}, set to its user's email"
            )
        self.stdout.write(f"{len(stale)} membership email copies corrected.")

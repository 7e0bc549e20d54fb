"""Demo data: two accounts on different plans and a user at every level. Safe to run twice."""

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Account, User
from invitations.models import Invitation
from memberships.models import Membership

DEMO_PASSWORD = "Roster-demo-2026!"

ACCOUNTS = [
    ("acme", "Acme Corp", "premium"),
    ("globex", "Globex Inc", "standard"),
]
# (email, first, last, {account slug: level})
USERS = [
    ("owner@acme.test", "Olivia", "Owner", {"acme": "owner"}),
    ("admin@acme.test", "Adam", "Admin", {"acme": "admin", "globex": "admin"}),
    ("manager@acme.test", "Maria", "Manager", {"acme": "manager"}),
    ("author@acme.test", "Arthur", "Author", {"acme": "author"}),
    ("viewer@acme.test", "Vera", "Viewer", {"acme": "viewer", "globex": "viewer"}),
    ("owner@globex.test", "Gus", "Globex", {"globex": "owner"}),
]


# Pending invitations shown on Acme's Users page. Their links were never emailed; "Resend"
# issues a fresh link (printed to the console in development).
INVITATIONS = [("new.hire@acme.test", "author"), ("contractor@acme.test", "viewer")]


class Command(BaseCommand):
    help = "Create the demo accounts and logins (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        accounts = {}
        for slug, name, plan in ACCOUNTS:
            accounts[slug], _ = Account.objects.get_or_create(
                slug=slug, defaults={"name": name, "plan": plan}
            )
        created = 0
        for email, first, last, levels in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
                )
                created += 1
            # Sign-in demands a verified email: mark it verified even on a row left unverified.
            EmailAddress.objects.update_or_create(
                user=user,
                email=email,
                defaults={"verified": True},
                create_defaults={"verified": True, "primary": True},
            )
            for slug, role in levels.items():
                Membership.objects.get_or_create(
                    user=user, account=accounts[slug], defaults={"role": role}
                )
        self._invitations(accounts["acme"], User.objects.get(email="owner@acme.test"))
        self.stdout.write(
            f"Demo data ready ({created} new users). Password for every login: {DEMO_PASSWORD}"
        )
        for email, _first, _last, levels in USERS:
            where = ", ".join(f"{level} of {slug}" for slug, level in levels.items())
            self.stdout.write(f"  {email:<22} {where}")

    def _invitations(self, account, inviter):
        import hashlib
        import secrets

        from django.conf import settings
        from django.utils import timezone

        for email, role in INVITATIONS:
            Invitation.objects.get_or_create(
                account=account,
                email=email,
                defaults={
                    "role": role,
                    "invited_by": inviter,
                    "expires_at": timezone.now() + settings.INVITATION_EXPIRY,
                    "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                    "delivery_status": "sent",
                    "sent_at": timezone.now(),
                },
            )

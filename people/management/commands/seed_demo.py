"""Demo data: two accounts on different plans, a user at every level, a staff login for the
back office (/django-admin/), pending invitations and a first page of activity.

Safe to run again: it creates only what is missing, then prints what the database holds.
"""

import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from accounts.plans import PLANS
from accounts.roles import label
from audit.models import Action, ActivityEvent
from audit.services import record_event
from invitations.models import Invitation, InvitationStatus
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
# Roster's own staff: the back office at /django-admin/, in no customer account.
STAFF = ("staff@roster.test", "Stella", "Staff")

# Pending invitations shown on Acme's Users page. Their links were never emailed; "Resend"
# issues a fresh link (printed to the console in development).
INVITATIONS = [("new.hire@acme.test", "author"), ("contractor@acme.test", "viewer")]


class Command(BaseCommand):
    help = "Create the demo accounts and logins (idempotent) and print what the database holds."

    @transaction.atomic
    def handle(self, *args, **options):
        accounts, new_accounts = {}, 0
        for slug, name, plan in ACCOUNTS:
            accounts[slug], created = Account.objects.get_or_create(
                slug=slug, defaults={"name": name, "plan": plan}
            )
            new_accounts += created
        users, new_users = {}, 0
        for email, first, last, levels in USERS:
            users[email], created = self._login(email, first, last)
            new_users += created
            for slug, role in levels.items():
                Membership.objects.get_or_create(
                    user=users[email], account=accounts[slug], defaults={"role": role}
                )
        staff, created = self._login(*STAFF, staff=True)
        new_users += created
        owner = users["owner@acme.test"]
        new_invitations = self._invitations(accounts["acme"], owner)
        self._activity(accounts, users)
        self.stdout.write(
            "Demo data: "
            f"{Account.objects.count()} accounts ({new_accounts} new), "
            f"{User.objects.count()} people ({new_users} new, "
            f"{User.objects.filter(is_staff=True).count()} staff), "
            f"{Membership.objects.count()} memberships, "
            f"{Invitation.objects.filter(status=InvitationStatus.PENDING).count()} pending "
            f"invitations ({new_invitations} new), "
            f"{ActivityEvent.objects.count()} activity events. "
            f"Every demo password: {DEMO_PASSWORD}"
        )
        if options["verbosity"] > 1:
            for email, _first, _last, levels in USERS:
                where = ", ".join(f"{level} of {slug}" for slug, level in levels.items())
                self.stdout.write(f"  {email:<22} {where}")
            self.stdout.write(f"  {staff.email:<22} staff (/django-admin/)")

    def _login(self, email, first, last, *, staff=False) -> tuple[User, bool]:
        user = User.objects.filter(email=email).first()
        created = user is None
        if created:
            make = User.objects.create_superuser if staff else User.objects.create_user
            user = make(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
        # Sign-in demands a verified email: mark it verified even on a row left unverified.
        EmailAddress.objects.update_or_create(
            user=user,
            email=email,
            defaults={"verified": True},
            create_defaults={"verified": True, "primary": True},
        )
        return user, created

    def _invitations(self, account, inviter) -> int:
        created = 0
        for email, role in INVITATIONS:
            _, new = Invitation.objects.get_or_create(
                account=account,
                email=email,
                status=InvitationStatus.PENDING,
                defaults={
                    "role": role,
                    "invited_by": inviter,
                    "expires_at": timezone.now() + settings.INVITATION_EXPIRY,
                    "token_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
                    "delivery_status": "sent",
                    "sent_at": timezone.now(),
                },
            )
            created += new
        return created

    def _activity(self, accounts, users):
        """What each account's activity log would show after its first week (written once)."""
        acme, globex = accounts["acme"], accounts["globex"]
        owner, admin = users["owner@acme.test"], users["admin@acme.test"]
        if not ActivityEvent.objects.filter(account=acme).exists():
            record_event(
                account=acme,
                actor=owner,
                action=Action.PLAN_CHANGED,
                old_value=PLANS["standard"].name,
                new_value=PLANS["premium"].name,
            )
            # Arthur joined as a Viewer and was made an Author afterwards.
            joined = [("admin@acme.test", "admin"), ("manager@acme.test", "manager")]
            for email, role in [*joined, ("author@acme.test", "viewer")]:
                record_event(
                    account=acme,
                    actor=users[email],
                    action=Action.INVITATION_ACCEPTED,
                    target_user=users[email],
                    new_value=label(role),
                )
            record_event(
                account=acme,
                actor=admin,
                action=Action.LEVEL_CHANGED,
                target_user=users["author@acme.test"],
                old_value=label("viewer"),
                new_value=label("author"),
            )
            for email, role in INVITATIONS:
                record_event(
                    account=acme,
                    actor=owner,
                    action=Action.INVITATION_SENT,
                    target_label=email,
                    new_value=label(role),
                )
        if not ActivityEvent.objects.filter(account=globex).exists():
            record_event(
                account=globex,
                actor=admin,
                action=Action.INVITATION_ACCEPTED,
                target_user=admin,
                new_value=label("admin"),
            )

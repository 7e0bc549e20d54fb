"""Bulk loader of benchmark data: accounts of N members, pending invitations, activity.

bulk_create in batches, one precomputed password hash for everyone (the real PBKDF2 hash of
PASSWORD, made once), so 10,000 members load in seconds. Everything it creates is marked:
account slugs start with SLUG_PREFIX and emails end with @EMAIL_DOMAIN, so `cleanup()`
removes exactly the benchmark's rows from a shared database.
"""

import hashlib
import os
from datetime import timedelta

PASSWORD = "Bench-login-2026!x"
EMAIL_DOMAIN = "bench.invalid"
SLUG_PREFIX = "bench-"
PAGE_SIZE = 25  # memberships.views.PAGE_SIZE
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"


def _email(label: str) -> str:
    return f"{label}@{EMAIL_DOMAIN}"


def member_emails(size: int, *, count: int) -> list[str]:
    """Emails of `count` members of the account of `size` (all share PASSWORD)."""
    return [_email(f"s{size}-m{i:05d}") for i in range(min(count, size - 1))]


def _role(i: int) -> str:
    # A realistic mix below the Owner: mostly viewers and authors.
    return ("viewer", "viewer", "author", "author", "manager")[i % 5]


def cleanup() -> None:
    """Delete the benchmark's accounts (cascading to members, invitations, activity) and
    users, and the invitation emails it queued."""
    from django_tasks_db.models import DBTaskResult

    from accounts.models import Account, User
    from invitations.models import Invitation

    queued = list(
        Invitation.objects.filter(account__slug__startswith=SLUG_PREFIX).values_list(
            "pk", flat=True
        )
    )
    for start in range(0, len(queued), 500):
        DBTaskResult.objects.filter(
            task_path__endswith="send_invitation",
            args_kwargs__kwargs__invitation_id__in=queued[start : start + 500],
        ).delete()
    Account.objects.filter(slug__startswith=SLUG_PREFIX).delete()
    User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()


def load(
    *,
    sizes=(10, 1_000, 10_000),
    invite_accounts: int = 100,
    events: int = 20_000,
    batch: int = 2_000,
    password_hash: str | None = None,
) -> dict:
    """Create the data set and return what the load generator needs to address it.

    One login user (ADMIN_EMAIL / PASSWORD) is Admin of every size account; each account of
    `size` members (the admin included) has an Owner, members at mixed levels (1% suspended)
    and size // 10 pending invitations. The largest account gets `events` activity rows.
    `invite_accounts` extra accounts, each with its own Owner, take one invite POST each, so
    the 25-per-24-hours cap never refuses a benchmark request.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Account, User
    from audit.models import Action, ActivityEvent
    from invitations.models import DeliveryStatus, Invitation, InvitationStatus
    from memberships.models import Membership

    now = timezone.now()
    password_hash = password_hash or make_password(PASSWORD)
    admin = User.objects.create(
        email=ADMIN_EMAIL, first_name="Bench", last_name="Admin", password=password_hash
    )
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)

    info = {"admin": {"email": ADMIN_EMAIL, "password": PASSWORD, "id": admin.pk}, "sizes": {}}
    for size in sizes:
        account = Account.objects.create(
            name=f"Bench {size:,}", slug=f"{SLUG_PREFIX}s{size}", plan="premium"
        )
        others = size - 1  # the admin is the other member
        users = []
        for start in range(0, others, batch):
            users += User.objects.bulk_create(
                [
                    User(
                        email=_email(f"s{size}-m{i:05d}"),
                        first_name="Member",
                        last_name=f"No {i}",
                        password=password_hash,
                        date_joined=now - timedelta(minutes=i),
                    )
                    for i in range(start, min(start + batch, others))
                ],
                batch_size=batch,
            )
        memberships = [Membership(user=admin, account=account, role="admin")]
        for i, user in enumerate(users):
            role = "owner" if i == 0 else _role(i)
            status = "suspended" if role != "owner" and i % 100 == 7 else "active"
            memberships.append(
                Membership(
                    user=user,
                    account=account,
                    role=role,
                    status=status,
                    created_at=now - timedelta(hours=i),
                )
            )
        Membership.objects.bulk_create(memberships, batch_size=batch)
        pending = size // 10
        Invitation.objects.bulk_create(
            [
                Invitation(
                    account=account,
                    email=_email(f"s{size}-inv{i:05d}"),
                    role="viewer",
                    invited_by=admin,
                    created_at=now - timedelta(hours=i % 120),
                    expires_at=now + timedelta(days=7) - timedelta(hours=i % 120),
                    status=InvitationStatus.PENDING,
                    token_hash=hashlib.sha256(os.urandom(32)).hexdigest(),
                    delivery_status=DeliveryStatus.SENT,
                    sent_at=now - timedelta(hours=i % 120),
                )
                for i in range(pending)
            ],
            batch_size=batch,
        )
        info["sizes"][size] = {
            "slug": account.slug,
            "pk": account.pk,
            "members": size,
            "pending_invitations": pending,
            "last_page": max(1, -(-size // PAGE_SIZE)),
        }

    largest = max(sizes)
    largest_account = Account.objects.get(pk=info["sizes"][largest]["pk"])
    actions = [Action.INVITATION_SENT, Action.LEVEL_CHANGED, Action.SUSPENDED, Action.JOINED]
    for start in range(0, events, batch):
        ActivityEvent.objects.bulk_create(
            [
                ActivityEvent(
                    account=largest_account,
                    actor=admin,
                    actor_email=ADMIN_EMAIL,
                    action=actions[i % len(actions)],
                    target_label=_email(f"s{largest}-m{i % largest:05d}"),
                    old_value="viewer",
                    new_value="author",
                    ip_address="10.0.0.1",
                    created_at=now - timedelta(minutes=i),
                )
                for i in range(start, min(start + batch, events))
            ],
            batch_size=batch,
        )
    info["largest"] = largest
    info["search_q"] = _email(f"s{largest}-m{largest // 2:05d}")
    info["events"] = events

    owners = User.objects.bulk_create(
        [
            User(email=_email(f"inviter{i:04d}"), first_name="Inviter", password=password_hash)
            for i in range(invite_accounts)
        ]
    )
    sinks = Account.objects.bulk_create(
        [
            Account(name=f"Bench invites {i}", slug=f"{SLUG_PREFIX}inv{i:04d}", plan="premium")
            for i in range(invite_accounts)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=owner, account=sink, role="owner")
            for owner, sink in zip(owners, sinks, strict=True)
        ]
    )
    info["invite_accounts"] = [
        {"slug": sink.slug, "pk": sink.pk, "user_id": owner.pk}
        for owner, sink in zip(owners, sinks, strict=True)
    ]
    return info


def mint_sessions(user_ids) -> dict[int, str]:
    """A signed-in session per user, made as django.contrib.auth.login would (no password
    hash: logins are measured separately). Returns {user_id: session key}."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in User.objects.filter(pk__in=list(user_ids)):
        session = store_class()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys[user.pk] = session.session_key
    return keys

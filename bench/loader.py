"""Bulk loader of benchmark data: accounts of N members, pending invitations, activity.

bulk_create in batches, one precomputed password hash for everyone (the real PBKDF2 hash of
PASSWORD, made once). The members, invitations and activity rows are cut into chunks of
CHUNK rows that `processes` forked processes insert side by side, each through its own
connection: building model instances and their INSERT parameters is Python work, and with one
process a core sat idle while PostgreSQL waited for it (100,000 members: 32 s in one process,
see `make bench` for the figure with two). Each batch commits on its own, so the count rows
that triggers keep per account are locked for one INSERT at a time, never for a whole chunk.

Everything it creates is marked: account slugs start with SLUG_PREFIX and emails end with
@EMAIL_DOMAIN, so `cleanup()` removes exactly the benchmark's rows from a shared database.
"""

import hashlib
import multiprocessing
import os
from datetime import timedelta

PASSWORD = "Bench-login-2026!x"
EMAIL_DOMAIN = "bench.invalid"
SLUG_PREFIX = "bench-"
PAGE_SIZE = 25  # people.views.PAGE_SIZE
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
SIZES = (10, 1_000, 10_000, 100_000)
CHUNK = 10_000  # rows per job handed to one loading process


def _email(label: str) -> str:
    return f"{label}@{EMAIL_DOMAIN}"


def member_emails(size: int, *, count: int) -> list[str]:
    """Emails of `count` members of the account of `size` (all share PASSWORD)."""
    return [_email(f"s{size}-m{i:05d}") for i in range(min(count, size - 1))]


def _role(i: int) -> str:
    # A realistic mix below the Owner: mostly viewers and authors.
    return ("viewer", "viewer", "author", "author", "manager")[i % 5]


# --- Cleanup ------------------------------------------------------------------------------------


def cleanup() -> None:
    """Delete the benchmark's accounts (with their members, invitations and activity) and
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
    delete_rows(Account.objects.filter(slug__startswith=SLUG_PREFIX))
    delete_rows(User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}"))


def delete_rows(queryset) -> None:
    """Delete `queryset`'s rows as QuerySet.delete() would, one statement per table.

    QuerySet.delete() fetches every row it deletes and names each related row by id: for
    100,000 users that took 55 s (1,000 DELETEs of 100 ids, IN lists of 100,000 ids). Here each
    table that the ORM's on_delete rules reach is handled once, from the deepest, scoped by a
    subquery of its parent's rows: CASCADE deletes, SET_NULL updates, DO_NOTHING is left,
    PROTECT and RESTRICT refuse if any row is there. A table whose rows have delete signal
    receivers goes through QuerySet.delete() itself, which sends them; any other on_delete
    stops the cleanup rather than guess.
    """
    from django.db import connections, models, transaction
    from django.db.models.signals import post_delete, pre_delete

    model = queryset.model
    if pre_delete.has_listeners(model) or post_delete.has_listeners(model):
        queryset.delete()
        return
    with transaction.atomic(using=queryset.db):
        for relation in model._meta.get_fields(include_hidden=True):
            if not (
                relation.auto_created
                and not relation.concrete
                and (relation.one_to_many or relation.one_to_one)
            ):
                continue
            field = relation.field
            related = relation.related_model._base_manager.using(queryset.db).filter(
                **{f"{field.name}__in": queryset}
            )
            on_delete = relation.on_delete
            if on_delete is models.CASCADE:
                delete_rows(related)
            elif on_delete is models.SET_NULL:
                related.update(**{field.name: None})
            elif on_delete is models.DO_NOTHING:
                continue
            elif on_delete in (models.PROTECT, models.RESTRICT):
                if related.exists():
                    raise RuntimeError(f"cleanup: {field} protects rows of {model.__name__}")
            else:
                raise RuntimeError(f"cleanup does not know on_delete={on_delete} of {field}")
        connection = connections[queryset.db]
        sql, params = queryset.values("pk").query.get_compiler(connection=connection).as_sql()
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({sql})", params)  # noqa: S608 (ORM-compiled SQL, quoted names)


# --- Loading -----------------------------------------------------------------------------------


def load(
    *,
    sizes=SIZES,
    invite_accounts: int = 100,
    events: int = 20_000,
    batch: int = 2_000,
    password_hash: str | None = None,
    processes: int = 1,
    chunk: int = CHUNK,
) -> dict:
    """Create the data set and return what the load generator needs to address it.

    One login user (ADMIN_EMAIL / PASSWORD) is Admin of every size account; each account of
    `size` members (the admin included) has an Owner, members at mixed levels (1% suspended)
    and size // 10 pending invitations. The largest account gets `events` activity rows.
    `invite_accounts` extra accounts, each with its own Owner, take one invite POST each, so
    the 25-per-24-hours cap never refuses a benchmark request.

    `processes` > 1 forks that many loading processes (PostgreSQL only: each needs its own
    connection and sees only committed rows, so not inside a test's transaction).
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import Account, User
    from memberships.models import Membership

    now = timezone.now()
    password_hash = password_hash or make_password(PASSWORD)
    admin = User.objects.create(
        email=ADMIN_EMAIL, first_name="Bench", last_name="Admin", password=password_hash
    )
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)

    info = {"admin": {"email": ADMIN_EMAIL, "password": PASSWORD, "id": admin.pk}, "sizes": {}}
    accounts = {
        size: Account.objects.create(
            name=f"Bench {size:,}", slug=f"{SLUG_PREFIX}s{size}", plan="premium"
        )
        for size in sizes
    }
    Membership.objects.bulk_create(
        [Membership(user=admin, account=account, role="admin") for account in accounts.values()]
    )
    largest = max(sizes)
    common = {"now": now, "batch": batch, "admin_id": admin.pk}
    jobs = []
    for size, account in accounts.items():
        account_rows = {**common, "account_id": account.pk, "size": size}
        # The admin is the other member.
        jobs += _chunks("members", size - 1, chunk, **account_rows, password_hash=password_hash)
        jobs += _chunks("invitations", size // 10, chunk, **account_rows)
        info["sizes"][size] = {
            "slug": account.slug,
            "pk": account.pk,
            "members": size,
            "pending_invitations": size // 10,
            "last_page": max(1, -(-size // PAGE_SIZE)),
        }
    jobs += _chunks(
        "events", events, chunk, **common, account_id=accounts[largest].pk, size=largest
    )
    run_jobs(jobs, processes)

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


def _chunks(kind: str, rows: int, chunk: int, **arguments) -> list:
    """Jobs of `kind` for rows 0..rows-1, `chunk` rows each."""
    return [
        (kind, {**arguments, "start": start, "stop": min(start + chunk, rows)})
        for start in range(0, rows, chunk)
    ]


def run_jobs(jobs: list, processes: int) -> None:
    """Run the (kind, arguments) jobs here, or dealt out to `processes` forked processes
    (largest first, round robin: the chunks of the largest account spread evenly)."""
    if processes <= 1 or len(jobs) <= 1:
        for kind, arguments in jobs:
            JOBS[kind](**arguments)
        return
    from django.db import connections

    jobs = sorted(jobs, key=lambda job: job[1]["stop"] - job[1]["start"], reverse=True)
    connections.close_all()  # a forked child must open its own connection, never share one
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_run_share, args=(jobs[index::processes],), daemon=True)
        for index in range(processes)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join()
    failed = [child.exitcode for child in children if child.exitcode != 0]
    if failed:
        raise RuntimeError(f"bench loader: {len(failed)} loading processes failed ({failed})")


def _run_share(jobs: list) -> None:
    from django.db import connections

    try:
        for kind, arguments in jobs:
            JOBS[kind](**arguments)
    finally:
        connections.close_all()


def _load_members(*, account_id, size, start, stop, password_hash, now, batch, admin_id) -> None:
    """Members start..stop-1 of the account of `size`: their users, then their memberships
    (member 0 is the Owner; every hundredth from 7 on is suspended)."""
    from accounts.models import User
    from memberships.models import Membership

    for low in range(start, stop, batch):
        numbers = range(low, min(low + batch, stop))
        users = User.objects.bulk_create(
            [
                User(
                    email=_email(f"s{size}-m{i:05d}"),
                    first_name="Member",
                    last_name=f"No {i}",
                    password=password_hash,
                    date_joined=now - timedelta(minutes=i),
                )
                for i in numbers
            ]
        )
        memberships = []
        for i, user in zip(numbers, users, strict=True):
            role = "owner" if i == 0 else _role(i)
            memberships.append(
                Membership(
                    user_id=user.pk,
                    account_id=account_id,
                    role=role,
                    status="suspended" if role != "owner" and i % 100 == 7 else "active",
                    created_at=now - timedelta(hours=i),
                )
            )
        Membership.objects.bulk_create(memberships)


def _load_invitations(*, account_id, size, start, stop, now, batch, admin_id) -> None:
    """Pending invitations start..stop-1 of the account of `size`, sent by the admin."""
    from invitations.models import DeliveryStatus, Invitation, InvitationStatus

    for low in range(start, stop, batch):
        Invitation.objects.bulk_create(
            [
                Invitation(
                    account_id=account_id,
                    email=_email(f"s{size}-inv{i:05d}"),
                    role="viewer",
                    invited_by_id=admin_id,
                    created_at=now - timedelta(hours=i % 120),
                    expires_at=now + timedelta(days=7) - timedelta(hours=i % 120),
                    status=InvitationStatus.PENDING,
                    token_hash=hashlib.sha256(os.urandom(32)).hexdigest(),
                    delivery_status=DeliveryStatus.SENT,
                    sent_at=now - timedelta(hours=i % 120),
                )
                for i in range(low, min(low + batch, stop))
            ]
        )


def _load_events(*, account_id, size, start, stop, now, batch, admin_id) -> None:
    """Activity rows start..stop-1 of the account of `size`, all by the admin."""
    from audit.models import Action, ActivityEvent

    actions = [Action.INVITATION_SENT, Action.LEVEL_CHANGED, Action.SUSPENDED, Action.JOINED]
    for low in range(start, stop, batch):
        ActivityEvent.objects.bulk_create(
            [
                ActivityEvent(
                    account_id=account_id,
                    actor_id=admin_id,
                    actor_email=ADMIN_EMAIL,
                    action=actions[i % len(actions)],
                    target_label=_email(f"s{size}-m{i % size:05d}"),
                    old_value="viewer",
                    new_value="author",
                    ip_address="10.0.0.1",
                    created_at=now - timedelta(minutes=i),
                )
                for i in range(low, min(low + batch, stop))
            ]
        )


JOBS = {"members": _load_members, "invitations": _load_invitations, "events": _load_events}


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

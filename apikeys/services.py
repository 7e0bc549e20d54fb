"""API key state changes: create, regenerate, delete; and deleting a person's keys when
they leave, are revoked or drop below Admin.

Each returns the plain key only at the moment it is made; nothing else ever sees it.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from apikeys import secrets
from apikeys.exceptions import AccountClosed, ApiKeyPermissionDenied
from apikeys.models import ApiKey
from audit.models import Action
from audit.services import record_event
from memberships import access
from memberships.exceptions import MembershipError, NotAllowed


def _lock_open_account(account) -> Account:
    # Locks the Account row so a key is never created or regenerated for a member whose
    # revoke, leave or demotion (which lock the same row) is committing at the same moment.
    locked = Account.objects.select_for_update(no_key=True).get(pk=account.pk)
    if locked.is_closed:
        raise AccountClosed()
    return locked


def _require(actor, account, code: str):
    # The one access gate, inside the transaction: a suspension, a 2FA reset or a demotion
    # committed since the page was shown is seen here.
    try:
        return access.require(actor, account, permission=code)
    except NotAllowed:
        raise ApiKeyPermissionDenied() from None
    except MembershipError as refusal:
        raise ApiKeyPermissionDenied(refusal.message) from None


@transaction.atomic(durable=True)
def create_key(
    *, account, name: str, expires_at: datetime | None = None, actor
) -> tuple[ApiKey, str]:
    """Creates a key owned by `actor` (Owner or Admin); returns it and the full key string,
    which is not stored anywhere."""
    account = _lock_open_account(account)
    _require(actor, account, "apikeys.create")
    prefix, secret = secrets.new_prefix(), secrets.new_secret()
    key = ApiKey.objects.create(
        account=account,
        created_by=actor,
        name=name.strip(),
        prefix=prefix,
        secret_hash=secrets.hash_secret(secret),
        expires_at=expires_at,
    )
    record_event(account=account, actor=actor, action=Action.APIKEY_CREATED, target_label=key.name)
    return key, secrets.format_key(prefix, secret)


@transaction.atomic(durable=True)
def regenerate_key(*, key: ApiKey, actor) -> tuple[ApiKey, str]:
    """New secret on the same row (Owner only). The old secret fails on the next request on
    every server, because each request checks the hash in the database."""
    account = _lock_open_account(key.account)
    _require(actor, account, "apikeys.regenerate")
    key = ApiKey.objects.select_for_update().get(pk=key.pk, account=account)
    secret = secrets.new_secret()
    key.secret_hash = secrets.hash_secret(secret)
    key.regenerated_at = timezone.now()
    key.save(update_fields=["secret_hash", "regenerated_at"])
    record_event(
        account=account, actor=actor, action=Action.APIKEY_REGENERATED, target_label=key.name
    )
    return key, secrets.format_key(key.prefix, secret)


def may_delete(*, key: ApiKey, membership) -> bool:
    """The Owner deletes any key; an Admin deletes the keys they created. No query: pages
    call it for every row with the viewer's membership."""
    if membership is None or membership.account_id != key.account_id:
        return False
    if membership.can("apikeys.delete_any"):
        return True
    return key.created_by_id == membership.user_id and membership.can("apikeys.create")


@transaction.atomic(durable=True)
def delete_key(*, key: ApiKey, actor) -> None:
    account = Account.objects.select_for_update(no_key=True).get(pk=key.account_id)
    membership = _require(actor, account, "apikeys.view")
    if not may_delete(key=key, membership=membership):
        raise ApiKeyPermissionDenied()
    _delete(account=account, keys=[key], actor=actor)


@transaction.atomic(savepoint=False)
def delete_keys_of(*, account, user, actor) -> int:
    """Delete the API keys `user` created in `account` (on revoke, leave, or demotion below
    Admin). Runs inside the caller's transaction. Returns how many were deleted."""
    keys = list(ApiKey.objects.filter(account=account, created_by=user))
    _delete(account=account, keys=keys, actor=actor)
    return len(keys)


def _delete(*, account, keys, actor) -> None:
    for key in keys:
        record_event(
            account=account,
            actor=actor,
            action=Action.APIKEY_DELETED,
            target_user=key.created_by,
            target_label=key.name,
        )
    ApiKey.objects.filter(pk__in=[k.pk for k in keys]).delete()

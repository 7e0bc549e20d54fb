"""SCIM state changes: the Provisioning settings, tokens, and the changes only SCIM makes
(creating a member with their login, their name and the identity provider's id).

Suspending, reactivating, revoking and level changes go through people.services, the same
services as the Users page; the endpoints (scim/views_*.py) call them. Every public service
here is one durable transaction that locks the Account row first and asks the one access
gate for the actor (for a token: its creator) under that lock.
"""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.emails import queue_email
from accounts.models import Account, User, normalize_email
from accounts.plans import PlanCode
from accounts.roles import RANK, Role, label
from audit.models import Action
from audit.services import record_event
from config.request_context import site_url
from invitations.selectors import seats_left
from memberships import access
from memberships.models import Membership, MembershipStatus
from memberships.notifications import notify_member_event
from people.services import lock_member
from scim import tokens
from scim.exceptions import (
    AlreadyAMember,
    LevelRefused,
    NoSeatLeft,
    PlanWithoutProvisioning,
    ProvisioningOff,
    TokenNotFound,
)
from scim.models import Provisioning, ScimIdentity, ScimToken

PROVISIONING_PLANS = frozenset({PlanCode.STANDARD, PlanCode.PREMIUM})
# Who may manage provisioning and whose tokens keep working: the same people who invite.
MANAGE_PERMISSION = "members.invite"


def plan_allows_provisioning(account) -> bool:
    return account.plan in PROVISIONING_PLANS


def provisioning_of(account) -> Provisioning:
    """The account's settings (unsaved defaults when never set)."""
    return Provisioning.objects.filter(account=account).first() or Provisioning(account=account)


def _lock_account(account) -> Account:
    # Serialises provisioning with every other membership change of the account (seats, the
    # one-Owner rule, revokes): people.services locks the same row.
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def _require_manager(actor, account):
    membership = access.require(actor, account, permission=MANAGE_PERMISSION)
    if not plan_allows_provisioning(account):
        raise PlanWithoutProvisioning(
            f"The {account.plan_info.name} plan does not include SCIM provisioning "
            "(Standard and Premium do)."
        )
    return membership


@transaction.atomic(durable=True)
def update_provisioning(*, account, enabled: bool, default_level: str, actor) -> Provisioning:
    """Turn SCIM on or off and set the level for provisioned people who carry none (never
    Owner, only a level the plan offers)."""
    account = _lock_account(account)
    _require_manager(actor, account)
    if default_level == Role.OWNER or not account.plan_info.offers(default_level):
        raise LevelRefused(
            f"Choose a level the {account.plan_info.name} plan offers, from Admin down."
        )
    provisioning = provisioning_of(account)
    old = (provisioning.enabled, provisioning.default_level)
    if provisioning.pk is not None and old == (enabled, default_level):
        return provisioning
    provisioning.enabled = enabled
    provisioning.default_level = default_level
    provisioning.updated_at = timezone.now()
    provisioning.save()
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_SETTINGS_CHANGED,
        target_label="SCIM provisioning",
        old_value=_describe(*old),
        new_value=_describe(enabled, default_level),
    )
    return provisioning


def _describe(enabled: bool, level: str) -> str:
    return f"{'on' if enabled else 'off'}, new people are {label(level)}"


@transaction.atomic(durable=True)
def create_token(*, account, name: str, actor) -> tuple[ScimToken, str]:
    """A token acting with `actor`'s access; returns it and the full token string, which is
    stored nowhere."""
    account = _lock_account(account)
    _require_manager(actor, account)
    prefix, secret_hash, raw = tokens.new_token()
    token = ScimToken.objects.create(
        account=account, created_by=actor, name=name.strip(), prefix=prefix, secret_hash=secret_hash
    )
    record_event(
        account=account, actor=actor, action=Action.SCIM_TOKEN_CREATED, target_label=token.name
    )
    return token, raw


@transaction.atomic(durable=True)
def revoke_token(*, account, token_id: int, actor) -> ScimToken:
    """The token stops working on its next request; the row stays for the list."""
    account = _lock_account(account)
    access.require(actor, account, permission=MANAGE_PERMISSION)
    token = ScimToken.objects.select_for_update().filter(account=account, pk=token_id).first()
    if token is None:
        raise TokenNotFound("This SCIM token does not exist in this account.")
    if token.is_revoked:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        account=account, actor=actor, action=Action.SCIM_TOKEN_REVOKED, target_label=token.name
    )
    return token


@transaction.atomic(durable=True)
def provision_member(
    *,
    account,
    email: str,
    first_name: str = "",
    last_name: str = "",
    level: str | None = None,
    external_id: str = "",
    active: bool = True,
    actor,
) -> Membership:
    """Make `email` a member of `account`: the login too when there is none (no usable
    password; a welcome email carries a link to set one). Within the plan's seats and
    levels, never Owner, never above the actor's level; SCIM must be on."""
    account = _lock_account(account)
    actor_m = access.require(actor, account, permission=MANAGE_PERMISSION)
    provisioning = provisioning_of(account)
    if not provisioning.enabled or not plan_allows_provisioning(account):
        raise ProvisioningOff(f"SCIM provisioning is off for {account.name}.")
    level = level or provisioning.default_level
    _check_level(account, actor_m, level)
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and Membership.objects.filter(account=account, user=user).exists():
        raise AlreadyAMember(f"{email} is already a member of {account.name}.")
    left = seats_left(account)
    if left is not None and left < 1:
        raise NoSeatLeft(
            f"{account.name} has no seat left on the {account.plan_info.name} plan "
            f"({account.plan_info.seats_label} seats, pending invitations included)."
        )
    new_login = user is None
    if new_login:
        user = User(email=email, first_name=first_name[:150], last_name=last_name[:150])
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Another account's provisioning (which holds another Account lock) made this
            # login a moment ago: join with it.
            user, new_login = User.objects.get(email__iexact=email), False
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                account=account,
                user=user,
                role=level,
                status=MembershipStatus.ACTIVE if active else MembershipStatus.SUSPENDED,
            )
    except IntegrityError:  # a concurrent request for the same person won the race
        raise AlreadyAMember(f"{email} is already a member of {account.name}.") from None
    if external_id:
        ScimIdentity.objects.create(membership=membership, external_id=external_id)
    record_event(
        account=account,
        actor=actor,
        action=Action.PROVISIONED,
        target_user=user,
        new_value=label(level) + ("" if active else " (suspended)"),
    )
    notify_member_event(account=account, event="joined", subject_user=user, actor=actor)
    _welcome(account=account, user=user, new_login=new_login)
    return membership


def _check_level(account, actor_m, level: str) -> None:
    if level not in Role.values or level == Role.OWNER:
        raise LevelRefused("SCIM gives levels from Admin down; ownership is transferred in Roster.")
    if RANK[Role(level)] > RANK[Role(actor_m.role)]:
        raise LevelRefused("The token's creator cannot give a level above their own.")
    if not account.plan_info.offers(level):
        raise LevelRefused(
            f"The {account.plan_info.name} plan does not offer the {label(level)} level."
        )


def _welcome(*, account, user, new_login: bool) -> None:
    lines = [f"Your company's identity provider added you to {account.name} on Roster."]
    if new_login:
        # allauth's own password-reset link: it sets the first password (and, once used, the
        # token no longer matches, as the password hash it was made from has changed).
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        lines.append(f"Set your password to sign in: {site_url()}{path}")
    else:
        lines.append("Sign in with your existing Roster login.")
    queue_email(
        to=user.email,
        template="membership_notice",
        context={
            "account_name": account.name,
            "headline": f"Welcome to {account.name} on Roster",
            "lines": lines,
        },
    )


@transaction.atomic(durable=True)
def update_member_details(
    *, account, membership_id: int, first_name: str, last_name: str, external_id: str, actor
) -> Membership:
    """The person's name and the identity provider's id for them. The name belongs to the
    login, so it changes only for a login that is a member of this account alone (another
    account's people keep seeing the name the person gave)."""
    account = _lock_account(account)
    access.require(actor, account, permission=MANAGE_PERMISSION)
    membership = lock_member(account, membership_id)
    user = membership.user
    new_name = (first_name[:150], last_name[:150])
    if (user.first_name, user.last_name) != new_name and not user.memberships.exclude(
        account=account
    ).exists():
        old = f"{user.first_name} {user.last_name}".strip()
        user.first_name, user.last_name = new_name
        user.save(update_fields=["first_name", "last_name"])
        record_event(
            account=account,
            actor=actor,
            action=Action.NAME_CHANGED,
            target_user=user,
            old_value=old,
            new_value=f"{user.first_name} {user.last_name}".strip(),
        )
    identity = ScimIdentity.objects.filter(membership=membership).first()
    if external_id and identity is None:
        ScimIdentity.objects.create(membership=membership, external_id=external_id)
    elif identity is not None and identity.external_id != external_id:
        if external_id:
            identity.external_id = external_id
            identity.save(update_fields=["external_id"])
        else:
            identity.delete()
    return membership

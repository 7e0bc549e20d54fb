"""Requests to join: the account's join link and its on/off switch, a person's request, an
Owner's or Admin's approve or deny, the person's withdraw, and the expiry job.

Each public service is one durable transaction. Those that touch an account lock its row
first (the lock every membership change and every invite takes), so an approval, a revoke
and a seat-filling invite of one account run one after the other and the seat check under
the lock is exact. A request takes no seat and counts against no invitation cap: only an
approval makes a membership, and it checks seats then. Emails leave on commit only.
"""

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.emails import queue_email
from accounts.models import Account
from accounts.roles import RANK, Role, label
from audit.models import Action
from audit.services import record_event
from invitations.selectors import seats_left
from invitations.services import cancel_invitations_to
from invitations.tokens import make_token
from joining.exceptions import (
    EmailNotVerified,
    JoinLinkClosed,
    JoinRequestClosed,
    JoinRequestRefused,
)
from joining.models import (
    JOIN_REQUEST_EXPIRY,
    JoinLink,
    JoinRequest,
    JoinRequestStatus,
)
from memberships import access
from memberships.models import Membership
from memberships.notifications import notify_member_event
from memberships.permissions import roles_with_permission

# Who answers requests (and is emailed about them): the levels that may invite.
ANSWER_PERMISSION = "members.invite"


def _lock_account(account) -> Account:
    # Serialises this account's seat checks with invites, accepts and revokes.
    return Account.objects.select_for_update(no_key=True).get(pk=account.pk)


def has_verified_email(user) -> bool:
    """Whether `user`'s login email is verified (allauth's record of it)."""
    return EmailAddress.objects.filter(
        user_id=user.pk, email__iexact=user.email, verified=True
    ).exists()


def grantable_levels(account, answerer_membership) -> list[Role]:
    """Levels an approval by `answerer_membership` may give: never Owner, never above their
    own, only those the plan offers."""
    return [
        role
        for role in Role
        if role != Role.OWNER
        and RANK[role] <= RANK[Role(answerer_membership.role)]
        and account.plan_info.offers(role)
    ]


def _users_path(account) -> str:
    return reverse("people:users", kwargs={"slug": account.slug}) + "#join-requests"


def _tell_requester(request, *, headline, lines, path="") -> None:
    queue_email(
        to=request.user.email,
        template="join_request_update",
        context={
            "account_name": request.account.name,
            "headline": headline,
            "lines": lines,
            "path": path,
        },
    )


def _record(request, *, action, actor, old_value="", new_value=""):
    record_event(
        account=request.account,
        actor=actor,
        action=action,
        target_user=request.user,
        old_value=old_value,
        new_value=new_value,
    )


def _close(request, *, status, action, actor, now=None, new_value="") -> None:
    request.status = status
    request.decided_at = now or timezone.now()
    fields = ["status", "decided_at"]
    if actor is not None and status in (JoinRequestStatus.APPROVED, JoinRequestStatus.DENIED):
        request.decided_by = actor
        fields.append("decided_by")
    request.save(update_fields=fields)
    _record(
        request,
        action=action,
        actor=actor,
        old_value=JoinRequestStatus.PENDING,
        new_value=new_value,
    )


def _close_members_requests(*, account=None, now=None) -> int:
    """Close (logged, no email) the pending requests of people who became members another way
    meanwhile (an invitation, SCIM): nobody needs to answer them, and letting them expire
    would tell the person "nobody answered". Invitations sit below joining and cannot call
    it at accept time, so the job (and each new request) sweeps them."""
    member = Membership.objects.filter(
        account_id=OuterRef("account_id"), user_id=OuterRef("user_id")
    )
    pending = JoinRequest.objects.filter(status=JoinRequestStatus.PENDING).filter(Exists(member))
    if account is not None:
        pending = pending.filter(account=account)
    count = 0
    for request in pending.select_related("account", "user").select_for_update(of=("self",)):
        _close(
            request,
            status=JoinRequestStatus.CLOSED,
            action=Action.JOIN_REQUEST_CLOSED,
            actor=None,
            now=now,
            new_value="already a member",
        )
        count += 1
    return count


@transaction.atomic(savepoint=False)
def _expire_due(*, account=None, now=None) -> int:
    _close_members_requests(account=account, now=now)
    due = JoinRequest.objects.due_to_expire(now=now).select_related("account", "user")
    if account is not None:
        due = due.filter(account=account)
    count = 0
    for request in due.select_for_update(of=("self",)):
        _close(
            request,
            status=JoinRequestStatus.EXPIRED,
            action=Action.JOIN_REQUEST_EXPIRED,
            actor=None,
        )
        _tell_requester(
            request,
            headline=f"Your request to join {request.account.name} has expired",
            lines=["Nobody answered it within 30 days. You can ask again through the join link."],
        )
        count += 1
    return count


def _locked_request(account, request_id) -> JoinRequest:
    request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(account=account, pk=request_id)
        .first()
    )
    if request is None:
        raise JoinRequestClosed("This request to join no longer exists.")
    request.account = account
    if request.is_expired:
        raise JoinRequestClosed("This request to join has expired.")
    if request.status != JoinRequestStatus.PENDING:
        raise JoinRequestClosed(
            f"This request to join was already {request.get_status_display().lower()}."
        )
    return request


# --- The account's switch and link ------------------------------------------------------------


def _switch(account, actor, enabled: bool) -> None:
    account.join_requests_enabled = enabled
    account.save(update_fields=["join_requests_enabled"])
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_SETTINGS_CHANGED,
        target_label="People can ask to join",
        old_value="off" if enabled else "on",
        new_value="on" if enabled else "off",
    )


def _new_link(account, actor) -> JoinLink:
    raw, digest = make_token()
    link, _created = JoinLink.objects.update_or_create(
        account=account,
        defaults={
            "token": raw,
            "token_hash": digest,
            "created_at": timezone.now(),
            "created_by": actor,
        },
    )
    return link


@transaction.atomic(durable=True)
def set_join_requests(*, account, enabled: bool, actor) -> Account:
    """Turn "people can ask to join" on or off. Turning it on makes the account's join link
    if it has none. Turning it off closes the pending requests (each person is told): the
    link stops working and nobody answers requests the account no longer takes."""
    account = _lock_account(account)
    access.require(actor, account, permission=ANSWER_PERMISSION)
    if account.join_requests_enabled == enabled:
        return account
    _switch(account, actor, enabled)
    if enabled:
        if not JoinLink.objects.filter(account=account).exists():
            _new_link(account, actor)
        return account
    pending = JoinRequest.objects.filter(account=account, status=JoinRequestStatus.PENDING)
    for request in pending.select_related("user").select_for_update(of=("self",)):
        request.account = account
        _close(
            request, status=JoinRequestStatus.CLOSED, action=Action.JOIN_REQUEST_CLOSED, actor=actor
        )
        _tell_requester(
            request,
            headline=f"{account.name} no longer takes requests to join",
            lines=["Your request was closed without an answer. Ask someone there to invite you."],
        )
    return account


@transaction.atomic(durable=True)
def regenerate_join_link(*, account, actor) -> JoinLink:
    """A new join link; the old one stops working at once. Pending requests stay."""
    account = _lock_account(account)
    access.require(actor, account, permission=ANSWER_PERMISSION)
    link = _new_link(account, actor)
    record_event(
        account=account,
        actor=actor,
        action=Action.ACCOUNT_SETTINGS_CHANGED,
        target_label="Join link",
        new_value="regenerated",
    )
    return link


# --- The person asking ------------------------------------------------------------------------


def _link_account(token_hash: str) -> Account:
    """The (locked) account whose join link has this digest, while it takes requests."""
    link = JoinLink.objects.filter(token_hash=token_hash).exclude(token_hash="").first()
    if link is None:
        raise JoinLinkClosed()
    account = _lock_account(Account(pk=link.account_id))
    # Re-read under the lock: a regeneration or a switch-off committed meanwhile wins.
    if not JoinLink.objects.filter(account=account, token_hash=token_hash).exists():
        raise JoinLinkClosed()
    if not account.join_requests_enabled or account.is_closed:
        raise JoinLinkClosed()
    return account


def check_may_ask(account, user) -> None:
    """JoinRequestRefused (with the reason) if `user` may not ask to join `account`: members,
    suspended members included, ask the gate instead; a login email must be verified."""
    decision = access.decide(user, account)
    if decision.membership is not None:
        if decision.granted:
            raise JoinRequestRefused(f"You are already a member of {account.name}.")
        raise JoinRequestRefused(access.refusal_message(decision.refusal, account))
    if not has_verified_email(user):
        raise EmailNotVerified(
            "Verify your email address first: open the link in the email we sent you, or send "
            "a new one from your email settings."
        )


@transaction.atomic(durable=True)
def request_to_join(*, token_hash: str, note: str, actor) -> JoinRequest:
    """Ask to join the account of the join link with this digest. At most one pending request
    per person and account (a database constraint); no seat is taken."""
    account = _link_account(token_hash)
    check_may_ask(account, actor)
    _expire_due(account=account)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                account=account,
                user=actor,
                note=note.strip(),
                created_at=now,
                expires_at=now + JOIN_REQUEST_EXPIRY,
            )
    except IntegrityError:
        raise JoinRequestRefused(
            f"You have already asked to join {account.name}: an Owner or Admin will answer."
        ) from None
    request.user = actor
    _record(request, action=Action.JOIN_REQUESTED, actor=actor)
    answerers = (
        Membership.objects.active()
        .filter(account=account, role__in=roles_with_permission(ANSWER_PERMISSION, account=account))
        .select_related("user")
        .order_by("user__email")
    )
    context = {
        "account_name": account.name,
        "requester_name": actor.display_name,
        "requester_email": actor.email,
        "note": request.note,
        "path": _users_path(account),
    }
    for membership in answerers:
        queue_email(to=membership.user.email, template="join_request", context=context)
    return request


@transaction.atomic(durable=True)
def withdraw_join_request(*, request_id: int, actor) -> JoinRequest:
    """The person takes back their pending request."""
    found = JoinRequest.objects.filter(pk=request_id, user_id=actor.pk).first()
    if found is None:
        raise JoinRequestClosed("This request to join no longer exists.")
    account = _lock_account(Account(pk=found.account_id))
    request = _locked_request(account, found.pk)
    _close(
        request,
        status=JoinRequestStatus.WITHDRAWN,
        action=Action.JOIN_REQUEST_WITHDRAWN,
        actor=actor,
    )
    return request


# --- Owners and Admins answering -------------------------------------------------------------


@transaction.atomic(durable=True)
def approve_join_request(*, account, request_id: int, level: str, actor) -> Membership:
    """Make the person a member at `level`: never Owner, never above the approver's level,
    only a level the plan offers, and only while a seat is free (checked under the account
    lock, so a racing invite or approval cannot overfill the plan)."""
    account = _lock_account(account)
    answerer = access.require(actor, account, permission=ANSWER_PERMISSION)
    request = _locked_request(account, request_id)
    if level not in grantable_levels(account, answerer):
        raise JoinRequestRefused(
            f"Choose a level from the list: up to your own ({label(answerer.role)}), among "
            f"those the {account.plan_info.name} plan offers."
        )
    if Membership.objects.filter(account=account, user_id=request.user_id).exists():
        raise JoinRequestRefused(f"{request.user.email} is already a member of {account.name}.")
    # A pending invitation to the same person would hold a second seat for them (and could
    # be accepted later): it goes, and its seat counts as free for this approval.
    cancel_invitations_to(account=account, user=request.user, actor=actor)
    left = seats_left(account)
    if left is not None and left < 1:
        raise JoinRequestRefused(
            f"{account.name} has no seat left on the {account.plan_info.name} plan. Free a seat "
            "(pending invitations take seats too) or change the plan, then approve."
        )
    now = timezone.now()
    membership = Membership.objects.create(
        account=account, user=request.user, role=level, created_at=now
    )
    request.status = JoinRequestStatus.APPROVED
    request.decided_at = now
    request.decided_by = actor
    request.role = level
    request.save(update_fields=["status", "decided_at", "decided_by", "role"])
    _record(
        request,
        action=Action.JOIN_REQUEST_APPROVED,
        actor=actor,
        old_value=JoinRequestStatus.PENDING,
        new_value=label(level),
    )
    notify_member_event(account=account, event="joined", subject_user=request.user, actor=actor)
    _tell_requester(
        request,
        headline=f"Welcome to {account.name}",
        lines=[
            f"{actor.display_name} approved your request to join {account.name}. You are a "
            f"member at the {label(level)} level."
        ],
        path=reverse("overview", kwargs={"slug": account.slug}),
    )
    return membership


@transaction.atomic(durable=True)
def deny_join_request(*, account, request_id: int, actor) -> JoinRequest:
    """Turn the request down; the person is told (not by whom)."""
    account = _lock_account(account)
    access.require(actor, account, permission=ANSWER_PERMISSION)
    request = _locked_request(account, request_id)
    _close(request, status=JoinRequestStatus.DENIED, action=Action.JOIN_REQUEST_DENIED, actor=actor)
    _tell_requester(
        request,
        headline=f"Your request to join {account.name} was declined",
        lines=["An Owner or Admin declined it. You are not a member of the account."],
    )
    return request


@transaction.atomic(durable=True)
def expire_join_requests(*, actor=None, now=None) -> int:
    """Mark every pending request older than 30 days expired; returns how many (a job)."""
    return _expire_due(now=now)

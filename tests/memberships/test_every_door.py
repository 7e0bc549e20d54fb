"""Every door into an account asks the one access gate.

For each refusal of `memberships.access` a person blocked by it is driven through:
- every URL pattern of the project that names an account (`<slug>`), resolved from the
  URLconf, with GET and POST: a view added tomorrow is driven the day it is added;
- every operation of the JSON API, read from its OpenAPI document;
- every public service that takes an `actor`, found by introspection.
Nothing may succeed and nothing in the account may change. A URL pattern that names no
account must be listed in NOT_ACCOUNT_DOORS with the reason it is not an account door, and a
service that takes an actor must have a call in SERVICE_CALLS, or the test fails.

A control run with an unblocked Owner drives the same doors with the same requests and must
change the account through many of them, so "nothing changed" cannot come from requests that
would have failed anyway.
"""

import importlib
import inspect
import json
import pkgutil
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from account_settings.exceptions import AccountSettingsError
from apikeys.exceptions import ApiKeyError
from apikeys.models import ApiKey
from audit.models import ActivityEvent
from billing.exceptions import BillingError
from billing.models import BillingAddress, Invoice
from invitations.csv_file import CsvRow
from invitations.exceptions import InvitationError
from invitations.models import Invitation
from joining.models import JoinLink, JoinRequest
from memberships.access import Refusal
from memberships.exceptions import MembershipError
from memberships.models import Membership, NotificationPreference
from scim.models import ScimToken
from tests.api.conftest import ApiClient
from tests.factories import (
    TEST_PASSWORD,
    AccountFactory,
    ApiKeyFactory,
    BillingAddressFactory,
    InvitationFactory,
    InvoiceFactory,
    MembershipFactory,
    UserFactory,
)
from transfers.models import OwnershipTransfer

pytestmark = pytest.mark.django_db

# URL patterns that do not name an account, and why they are not doors into one.
NOT_ACCOUNT_DOORS = {
    "django-admin/": "the staff back office: is_staff only, tested in tests/accounts",
    "accounts/": "allauth's personal pages (login, 2FA, sessions, email, password)",
    "": "home: redirects to the chooser or an account page (a door driven here)",
    "accounts/choose/": "the chooser: lists the person's own accounts",
    "settings/profile/": "the person's own profile",
    "settings/notifications/": "personal; its service is driven below (one row per account)",
    "invitations/accept/": "the invitee's page; the accept service is driven below",
    "invitations/<str:token>/": "moves an invitation token into the session",
    "join/": "the join link: a signed-in non-member asks to join (the account's members, "
    "suspended ones included, are refused there: tests/joining)",
    "api/v1/": "the JSON API: every operation is driven from the OpenAPI document",
    "^api/": "unknown routes under /api/: a JSON 404, nothing else",
    "scim/v2/": "SCIM, scoped by its token: tests/scim drive every refusal",
}
# Doors a refusal lets through on purpose (the page a blocked person is sent to, the way out).
TOLERATED = {
    Refusal.ACCOUNT_CLOSED: {"account_settings:reopen"},
    Refusal.TWO_FACTOR_REQUIRED: {"two_factor_required", "people:leave"},
    Refusal.TWO_FACTOR_RESET: {"two_factor_required", "people:leave"},
}
# Account doors anyone may open: the account's own login page changes nothing by itself.
PUBLIC_ACCOUNT_DOORS = {"account_specific_login"}
REFUSED_STATUSES = {401, 403, 404, 405}


# --- The world ----------------------------------------------------------------------------


class World:
    """Account X with people and things in it, and the person P blocked by `refusal`."""

    def __init__(self, refusal):
        self.refusal = refusal
        x = AccountFactory(plan="premium", admins_can_manage_billing=True)
        self.account = x
        p_role = "admin" if refusal == Refusal.SUSPENDED else "owner"
        self.person = UserFactory()
        if refusal == Refusal.NOT_A_MEMBER:
            own = AccountFactory(plan="premium")
            MembershipFactory(account=own, user=self.person, role="owner")
            self.own_key = ApiKeyFactory(account=own, created_by=self.person)
            MembershipFactory(account=x, role="owner")
        else:
            if p_role == "admin":
                MembershipFactory(account=x, role="owner")
            self.p_membership = MembershipFactory(account=x, user=self.person, role=p_role)
        self.admin = MembershipFactory(account=x, role="admin")
        self.target = MembershipFactory(account=x, role="viewer")
        # The Owner's offer of ownership to the Admin, waiting (transfers app).
        self.transfer = OwnershipTransfer.objects.create(
            account=x,
            from_user=Membership.objects.get(account=x, role="owner").user,
            to_user=self.admin.user,
            expires_at=timezone.now() + timedelta(days=7),
        )
        # Someone's pending request to join X (joining app).
        self.join_request = JoinRequest.objects.create(
            account=x, user=UserFactory(), expires_at=timezone.now() + timedelta(days=30)
        )
        self.invitation = InvitationFactory(account=x, invited_by=self.admin.user)
        self.key = ApiKeyFactory(account=x, created_by=self.admin.user)
        self.invoice = InvoiceFactory(account=x)
        self.scim_token = ScimToken.objects.create(
            account=x,
            created_by=self.admin.user,
            name="Door",
            prefix=f"door{x.pk}",
            secret_hash="-",
        )
        BillingAddressFactory(account=x)
        self.person_key = (
            self.own_key
            if refusal == Refusal.NOT_A_MEMBER
            else ApiKeyFactory(account=x, created_by=self.person)
        )
        self._apply(refusal)

    def _apply(self, refusal):
        from allauth.mfa.totp.internal.auth import TOTP

        x, person = self.account, self.person
        if refusal is None:  # the control: an Owner with 2FA, nothing blocks them
            TOTP.activate(person, "JBSWY3DPEHPK3PXP")
        elif refusal == Refusal.SUSPENDED:
            self.p_membership.status = "suspended"
            self.p_membership.save()
        elif refusal == Refusal.ACCOUNT_CLOSED:
            x.closed_at = timezone.now()
            x.save()
        elif refusal == Refusal.TWO_FACTOR_REQUIRED:
            x.require_2fa = True
            x.save()
        elif refusal == Refusal.TWO_FACTOR_RESET:
            person.must_set_up_2fa = True
            person.save()

    def url_kwargs(self):
        return {
            "slug": self.account.slug,
            "member_id": self.target.pk,
            "invitation_id": self.invitation.pk,
            "key_id": self.key.pk,
            "number": self.invoice.number,
            "token_id": self.scim_token.pk,
            "request_id": self.join_request.pk,
        }

    def post_body(self):
        """One body carrying every field the account pages read, filled so that an Owner's
        request would go through."""
        return {
            "level": "admin",
            "emails": "door@example.com",
            "accounts": [self.account.pk],
            "message": "",
            "name": "Renamed by the door",
            "enabled": "off",
            "member": [self.target.pk],
            "new_owner": self.admin.pk,
            "password": TEST_PASSWORD,
            "confirm_name": self.account.name,
            "plan": "standard",
            "contact_name": "Door",
            "company": "Door Ltd",
            "address_line1": "1 Door St",
            "address_line2": "",
            "city": "Doorton",
            "postal_code": "12345",
            "country": "GB",
            "billing_email": "billing@example.com",
            "vat_id": "",
            "expires_on": "",
            "access_until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        }

    def fingerprint(self):
        """Everything in account X, its people included."""
        x = self.account
        user_ids = set(Membership.objects.filter(account=x).values_list("user_id", flat=True))
        user_ids |= {self.person.pk}
        user_model = apps.get_model(settings.AUTH_USER_MODEL)
        return json.dumps(
            {
                "account": list(type(x).objects.filter(pk=x.pk).values()),
                "memberships": list(Membership.objects.filter(account=x).order_by("pk").values()),
                "invitations": list(Invitation.objects.filter(account=x).order_by("pk").values()),
                "keys": list(
                    ApiKey.objects.filter(account=x)
                    .order_by("pk")
                    .values("pk", "name", "secret_hash", "expires_at", "created_by")
                ),
                "events": list(ActivityEvent.objects.filter(account=x).order_by("pk").values()),
                "invoices": list(Invoice.objects.filter(account=x).order_by("pk").values()),
                "scim_tokens": list(ScimToken.objects.filter(account=x).order_by("pk").values()),
                "join_requests": list(
                    JoinRequest.objects.filter(account=x).order_by("pk").values()
                ),
                "join_link": list(JoinLink.objects.filter(account=x).values()),
                "transfers": list(
                    OwnershipTransfer.objects.filter(account=x).order_by("pk").values()
                ),
                "address": list(BillingAddress.objects.filter(account=x).values()),
                "preferences": list(
                    NotificationPreference.objects.filter(membership__account=x)
                    .order_by("pk")
                    .values()
                ),
                "users": list(
                    user_model.objects.filter(pk__in=user_ids)
                    .order_by("pk")
                    .values("pk", "email", "first_name", "last_name", "must_set_up_2fa")
                ),
                "authenticators": list(
                    Authenticator.objects.filter(user_id__in=user_ids)
                    .order_by("pk")
                    .values("pk", "type")
                ),
            },
            default=str,
            sort_keys=True,
        )


# --- Doors ---------------------------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}{entry.name or ''}", entry


def account_doors():
    """(route, name) of every URL pattern that names an account; fails on an unclassified one."""
    doors, unclassified = [], []
    for route, name, _pattern in _patterns():
        if "<slug:slug>" in route:
            doors.append((route, name))
        elif not any(
            route == known or (known and known.endswith("/") and route.startswith(known))
            for known in NOT_ACCOUNT_DOORS
        ):
            unclassified.append(route)
    assert not unclassified, (
        "New URL patterns that name no account: add them to NOT_ACCOUNT_DOORS with the reason "
        f"they are not a door into an account, or give them a <slug:slug>: {unclassified}"
    )
    return doors


def _url(route, kwargs):
    def fill(match):
        return str(kwargs[match.group(2)])

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


def _drive_pages(client, world, capture, *, skip=()):
    """GET and POST every account door but `skip`; returns {(name, method): response}."""
    results = {}
    kwargs = world.url_kwargs()
    for route, name in account_doors():
        if name in skip:
            continue
        url = "/" + _url(route, kwargs)
        for method in ("get", "post"):
            with capture(execute=True):
                if method == "get":
                    response = client.get(url)
                else:
                    response = client.post(url, world.post_body())
            results[(name, method)] = response
    return results


def _api_operations(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, methods in document["paths"].items():
        for method in methods:
            yield method.upper(), path


def _api_path(path, world):
    ids = {
        "member_id": world.target.pk,
        "invitation_id": world.invitation.pk,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path.removeprefix("/api/v1"))


API_BODY = {"emails": ["door@example.com"], "level": "admin", "message": ""}


# --- Services ------------------------------------------------------------------------------

SERVICE_MODULES = [
    f"{config.name}.services"
    for config in apps.get_app_configs()
    if config.path.startswith(str(settings.BASE_DIR))
    and importlib.util.find_spec(f"{config.name}.services")
]
# Services that take an actor but are steps of another service (they run inside its
# transaction after it asked the gate) or jobs with no person behind them.
NOT_ACTOR_DOORS = {
    "audit.services.record_event": "writes the log row inside the calling service",
    "invitations.services.cancel_invitations_sent_by": "a step of revoke and leave",
    "invitations.services.cancel_invitations_to": "a step of approving a request to join",
    "transfers.services.cancel_transfers_involving": "a step of level changes, suspend, "
    "revoke, leave and access expiry",
    "apikeys.services.delete_keys_of": "a step of revoke, leave and level changes",
    "invitations.services.expire_invitations": "a scheduled job (actor is None)",
    "invitations.services.send_invitation_reminders": "a scheduled job (actor is None)",
    "transfers.services.expire_transfers": "a scheduled job (actor is None)",
    "joining.services.expire_join_requests": "a scheduled job (actor is None)",
    "joining.services.request_to_join": "the join link's door for non-members (tests/joining "
    "drive members, suspended members and unverified people through it)",
    "joining.services.withdraw_join_request": "the requester's own request, not an account's",
    "people.services.expire_access": "a scheduled job (actor is None)",
    "invitations.services.accept_invitation": "the invitee's door, driven on its own below",
    "invitations.services.decline_invitation": "the invitee's door: declining is always allowed",
}


def service_calls(world):
    """Keyword arguments for every service that takes an actor, acting on X as P."""
    x, p = world.account, world.person
    membership = getattr(world, "p_membership", world.target)
    csv_row = CsvRow(line=2, email="door-csv@example.com", level="admin")
    return {
        "people.services.change_level": {
            "account": x,
            "membership_id": world.target.pk,
            "level": "admin",
        },
        "people.services.suspend_member": {"account": x, "membership_id": world.target.pk},
        "people.services.set_access_until": {
            "account": x,
            "membership_id": world.target.pk,
            "access_until": timezone.now() + timedelta(days=30),
        },
        "people.services.reactivate_member": {
            "account": x,
            "membership_id": world.target.pk,
        },
        "people.services.revoke_member": {"account": x, "membership_id": world.target.pk},
        "people.services.bulk_revoke": {"account": x, "membership_ids": [world.target.pk]},
        "people.services.leave_account": {"account": x},
        "transfers.services.start_transfer": {
            "account": x,
            "new_owner_membership_id": world.admin.pk,
        },
        "transfers.services.accept_transfer": {"account": x, "transfer_id": world.transfer.pk},
        "transfers.services.decline_transfer": {"account": x, "transfer_id": world.transfer.pk},
        "transfers.services.cancel_transfer": {"account": x, "transfer_id": world.transfer.pk},
        "joining.services.set_join_requests": {"account": x, "enabled": True},
        "joining.services.regenerate_join_link": {"account": x},
        "joining.services.approve_join_request": {
            "account": x,
            "request_id": world.join_request.pk,
            "level": "viewer",
        },
        "joining.services.deny_join_request": {"account": x, "request_id": world.join_request.pk},
        "invitations.services.invite_users": {
            "accounts": [x],
            "emails": ["door@example.com"],
            "level": "admin",
        },
        "invitations.services.preview_csv_invites": {"account": x, "rows": [csv_row]},
        "invitations.services.invite_csv_rows": {
            "account": x,
            "rows": [csv_row],
            "expected_lines": [2],
        },
        "invitations.services.resend_invitation": {
            "account": x,
            "invitation_id": world.invitation.pk,
        },
        "invitations.services.cancel_invitation": {
            "account": x,
            "invitation_id": world.invitation.pk,
        },
        "account_settings.services.rename_account": {"account": x, "name": "Renamed"},
        "account_settings.services.set_require_2fa": {"account": x, "required": False},
        "account_settings.services.set_admins_can_manage_billing": {
            "account": x,
            "allowed": False,
        },
        "account_settings.services.update_notification_preferences": {
            "membership": membership,
            "on_joined": False,
            "on_left": False,
            "on_level_changed": False,
        },
        "account_settings.services.export_account": {"account": x},
        "account_settings.services.close_account": {"account": x},
        "account_settings.services.reopen_account": {"account": x},
        "apikeys.services.create_key": {"account": x, "name": "Door key"},
        "apikeys.services.regenerate_key": {"key": world.key},
        "apikeys.services.delete_key": {"key": world.key},
        "billing.services.change_plan": {"account": x, "plan": "standard"},
        "billing.services.update_billing_address": {"account": x, "fields": {"company": "Door"}},
        "security.services.reset_two_factor": {"account": x, "membership_id": world.target.pk},
        "scim.services.update_provisioning": {
            "account": x,
            "enabled": True,
            "default_level": "viewer",
        },
        "scim.services.create_token": {"account": x, "name": "Door token"},
        "scim.services.revoke_token": {"account": x, "token_id": world.scim_token.pk},
        "scim.services.provision_member": {"account": x, "email": "door-scim@example.com"},
        "scim.services.update_member_details": {
            "account": x,
            "membership_id": world.target.pk,
            "first_name": "Door",
            "last_name": "Changed",
            "external_id": "door",
        },
    } | {"_actor": p}


def actor_services():
    """Every public function of a services module (or of a services package's modules) with
    a keyword-only `actor`, named `<app>.services.<function>`."""
    found = {}
    for package_name in SERVICE_MODULES:
        package = importlib.import_module(package_name)
        modules = [package]
        if hasattr(package, "__path__"):  # a package: its modules too
            modules += [
                importlib.import_module(f"{package_name}.{info.name}")
                for info in pkgutil.iter_modules(package.__path__)
            ]
        for module in modules:
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if name.startswith("_") or function.__module__ != module.__name__:
                    continue
                parameter = inspect.signature(function).parameters.get("actor")
                if parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                    found[f"{package_name}.{name}"] = function
    return found


REFUSAL_ERRORS = (
    MembershipError,
    InvitationError,
    AccountSettingsError,
    BillingError,
    ApiKeyError,
)
TOLERATED_SERVICES = {
    Refusal.ACCOUNT_CLOSED: {"account_settings.services.reopen_account"},
    Refusal.TWO_FACTOR_REQUIRED: {"people.services.leave_account"},
    Refusal.TWO_FACTOR_RESET: {"people.services.leave_account"},
}


# --- The tests -----------------------------------------------------------------------------


def test_every_url_pattern_is_an_account_door_or_says_why_not(record_property):
    doors = account_doors()
    assert len(doors) >= 30, doors
    record_property("doors", f"{len(doors)} account doors in the URLconf")


@pytest.mark.parametrize("refusal", list(Refusal), ids=str)
def test_a_blocked_person_gets_nothing_through_any_page(
    refusal, record_property, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    world = World(refusal)
    before = world.fingerprint()
    tolerated = TOLERATED.get(refusal, set())
    results = _drive_pages(
        client_for(world.person),
        world,
        django_capture_on_commit_callbacks,
        skip=tolerated | PUBLIC_ACCOUNT_DOORS,
    )
    let_through = []
    for (name, method), response in results.items():
        status = response.status_code
        refused = status in REFUSED_STATUSES or (
            status == 302
            and refusal in (Refusal.TWO_FACTOR_REQUIRED, Refusal.TWO_FACTOR_RESET)
            and response["Location"].endswith("/two-factor-required/")
        )
        if not refused:
            let_through.append((name, method, status))
        if refusal == Refusal.NOT_A_MEMBER:
            assert status in (404, 405), (name, method, status)  # nothing leaks
        if refusal == Refusal.SUSPENDED:  # a member: told why, shown nothing else
            assert status in (403, 405), (name, method, status)
            if status == 403:
                assert b"Your access to" in response.content and b"is suspended" in response.content
    assert let_through == [], let_through
    assert world.fingerprint() == before
    assert mailoutbox == []
    record_property("doors", f"{refusal}: {len(results) // 2} pages, GET and POST, refused")


def test_control_an_unblocked_owner_gets_through_the_same_doors(
    record_property, client_for, django_capture_on_commit_callbacks
):
    """The same requests from an unblocked Owner open the pages and change the account, so
    the refusals above are the gate's doing and not bad requests."""

    def owner_client(world):
        client = client_for(world.person)
        session = client.session
        session["mfa_authenticated"] = True
        session.save()
        return client

    world = World(None)
    client = owner_client(world)
    opened, changed = [], []
    for route, name in account_doors():
        response = client.get("/" + _url(route, world.url_kwargs()))
        assert response.status_code != 404, (name, response.status_code)
        if response.status_code == 200:
            opened.append(name)
    for route, name in account_doors():
        world = World(None)  # each POST on an account of its own: no door undoes another
        before = world.fingerprint()
        with django_capture_on_commit_callbacks(execute=True):
            owner_client(world).post("/" + _url(route, world.url_kwargs()), world.post_body())
        if world.fingerprint() != before:
            changed.append(name)
    assert len(opened) >= 20, opened
    assert len(changed) >= 8, changed
    record_property(
        "doors",
        f"control: an Owner opened {len(opened)} pages and changed X through {len(changed)}",
    )


@pytest.mark.parametrize("refusal", list(Refusal), ids=str)
def test_a_blocked_person_gets_nothing_through_any_api_operation(refusal, record_property):
    world = World(refusal)
    before = world.fingerprint()
    api = ApiClient(world.person_key.raw_key)
    operations = list(_api_operations(api.client))
    assert len(operations) >= 7
    x_emails = {world.target.user.email, world.admin.user.email, world.invitation.email}
    for method, path in operations:
        body = API_BODY if method in ("POST", "PATCH", "PUT") else None
        response = api(method, _api_path(path, world), body)
        if refusal == Refusal.NOT_A_MEMBER:
            # A key of the person's own account: X's ids are 404, X's people never appear.
            if "{" in path:
                assert response.status_code == 404, (method, path, response.status_code)
            assert not any(email in response.content.decode() for email in x_emails)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["code"] in {
                "creator_inactive",
                "account_closed",
                "two_factor_required",
                "two_factor_reset",
            }
    assert world.fingerprint() == before
    record_property("doors", f"{refusal}: {len(operations)} API operations refused")


def test_every_service_that_takes_an_actor_is_driven(record_property):
    services = actor_services()
    called = set(service_calls(World(Refusal.SUSPENDED))) - {"_actor"}
    missing = set(services) - called - set(NOT_ACTOR_DOORS)
    assert not missing, f"Services that take an actor with no call in service_calls(): {missing}"
    assert called <= set(services), called - set(services)
    record_property(
        "doors", f"{len(services)} services take an actor; {len(called)} are doors driven"
    )


@pytest.mark.parametrize("refusal", list(Refusal), ids=str)
def test_a_blocked_person_gets_nothing_through_any_service(
    refusal, record_property, mailoutbox, django_capture_on_commit_callbacks
):
    world = World(refusal)
    before = world.fingerprint()
    calls = service_calls(world)
    actor = calls.pop("_actor")
    services = actor_services()
    tolerated = TOLERATED_SERVICES.get(refusal, set())
    driven = 0
    for name, kwargs in calls.items():
        if name in tolerated:
            continue
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(REFUSAL_ERRORS):
            services[name](**kwargs, actor=actor)
        driven += 1
    assert world.fingerprint() == before
    assert mailoutbox == []
    record_property("doors", f"{refusal}: {driven} services refused")


def test_a_suspended_member_cannot_use_an_invitation_to_get_back_in(client_for):
    from invitations import services as invitation_services
    from invitations.tokens import hash_token

    world = World(Refusal.SUSPENDED)
    invitation = InvitationFactory(account=world.account, email=world.person.email)
    before = world.fingerprint()
    with pytest.raises(InvitationError):
        invitation_services.accept_invitation(
            token_hash=hash_token(invitation.raw_token), user=world.person, actor=world.person
        )
    assert world.fingerprint() == before

"""Hostile input, through the doors an attacker has: every error under /api/ is JSON
`{code, message}`; ids that do not fit the database are a form error or a 404; every form
refuses over-long, control-character, huge-id and non-UTF-8 values without a 500 and
without changing the database."""

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db

HUGE_ID = "99999999999999999999999"  # more than 64 bits: no database column holds it
API = "/api/v1"


def bearer(key) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key.raw_key}"}


@pytest.fixture
def owner_key(members):
    owner = members["owner"]
    return ApiKeyFactory(account=owner.account, created_by=owner.user)


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    """Run under DEBUG=0 and DEBUG=1: neither shows an HTML page under /api/."""
    settings.DEBUG = request.param
    return request.param


def assert_api_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = json.loads(response.content)
    assert isinstance(body.get("code"), str) and body["code"]
    assert isinstance(body.get("message"), str) and body["message"]
    return body


# --- (a) Errors under /api/ are JSON -----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/"),
        ("get", "/api/v2/members"),
        ("get", f"{API}/nope"),
        ("post", f"{API}/nope"),
        ("delete", f"{API}/nope/1"),
        ("get", f"{API}/members/"),  # the API's paths have no trailing slash
        ("post", f"{API}/members/"),
        ("get", API),
        ("post", API),
    ],
)
def test_unknown_api_route_is_json_404(debug, owner_key, method, path):
    for headers in ({}, bearer(owner_key)):
        response = getattr(Client(), method)(path, **headers)
        body = assert_api_error(response, 404)
        assert body["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("put", "/members", {"GET"}),
        ("post", "/members", {"GET"}),
        ("post", "/members/1", {"GET", "PATCH", "DELETE"}),
        ("patch", "/invitations", {"GET", "POST"}),
        ("get", "/invitations/1", {"DELETE"}),
    ],
)
def test_wrong_method_on_api_route_is_json_405(debug, owner_key, method, path, allowed):
    for headers in ({}, bearer(owner_key)):
        response = getattr(Client(), method)(f"{API}{path}", **headers)
        body = assert_api_error(response, 405)
        assert body["code"] == "method_not_allowed"
        assert {m.strip() for m in response["Allow"].split(",")} == allowed


def test_api_body_over_the_size_limit_is_json_413_and_invites_nobody(debug, owner_key, settings):
    from invitations.models import Invitation

    payload = {"emails": ["a@example.test"], "level": "viewer"}
    payload["message"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().post(
        f"{API}/invitations",
        json.dumps(payload),
        content_type="application/json",
        **bearer(owner_key),
    )
    body = assert_api_error(response, 413)
    assert body["code"] == "request_too_large"
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_api_query_string_with_too_many_fields_is_json_400(owner_key, settings, debug):
    settings.DEBUG = debug
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = Client().get(f"{API}/members?{query}", **bearer(owner_key))
    assert_api_error(response, 400)


def test_web_form_body_over_the_size_limit_is_a_clean_413_page(members, client_for, settings):
    owner = members["owner"]
    url = reverse("account_settings:index", kwargs={"slug": owner.account.slug})
    before = snapshot()
    name = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client_for(owner.user).post(url, {"name": name})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"Too much to send" in response.content
    assert snapshot() == before


# --- (b) Ids that do not fit the database ----------------------------------------------------


def snapshot() -> dict:
    """Every row of every model, to show that a refusal changed nothing. Sessions (a login
    writes one) and the times a row was last used are not what a form changes."""
    from django.apps import apps

    volatile = {"last_login", "last_used_at", "last_seen_at"}
    return {
        model._meta.label: [
            {k: v for k, v in row.items() if k not in volatile}
            for row in model.objects.order_by("pk").values()
        ]
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "usersessions")
    }


def int_url_patterns():
    """(name, int keyword arguments) of every URL pattern with an `<int:...>` part."""
    found = []

    def walk(resolver, namespace, route):
        for pattern in resolver.url_patterns:
            text = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}{pattern.namespace}:"
                walk(pattern, ns, text)
            elif isinstance(pattern, URLPattern) and "<int:" in text and pattern.name:
                ints = [part.split(">")[0] for part in text.split("<int:")[1:]]
                found.append((f"{namespace}{pattern.name}", tuple(ints), "<slug:slug>" in text))

    walk(get_resolver(), "", "")
    return sorted(set(found))


INT_URLS = int_url_patterns()


def test_every_int_url_pattern_is_covered():
    names = {name for name, _ints, _slug in INT_URLS}
    assert {
        "people:edit_level",
        "people:suspend",
        "people:reactivate",
        "people:revoke",
        "invitations:resend",
        "invitations:cancel",
        "apikeys:regenerate",
        "apikeys:delete",
        "security:reset_2fa",
        "mfa_remove_webauthn",
        "mfa_edit_webauthn",
    } <= names


@pytest.mark.parametrize(("name", "ints", "has_slug"), INT_URLS, ids=[u[0] for u in INT_URLS])
def test_overflowing_id_in_url_path_is_not_found(members, client_for, name, ints, has_slug):
    owner = members["owner"]
    kwargs = dict.fromkeys(ints, HUGE_ID)
    if has_slug:
        kwargs["slug"] = owner.account.slug
    url = reverse(name, kwargs=kwargs)
    client = client_for(owner.user)
    before = snapshot()
    get = client.get(url)
    assert get.status_code in (302, 404, 405), (url, get.status_code)
    post = client.post(url, {"level": "viewer", "password": "x"})
    assert post.status_code in (302, 404, 405), (url, post.status_code)
    assert snapshot() == before


def test_overflowing_ids_on_the_users_page_are_ignored(members, client_for):
    owner = members["owner"]
    url = reverse("people:users", kwargs={"slug": owner.account.slug})
    query = {"member": HUGE_ID, "page": HUGE_ID, "inv_page": HUGE_ID, "q": HUGE_ID}
    response = client_for(owner.user).get(url, query)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "ids", [[HUGE_ID], [f"-{HUGE_ID}"], ["victim", HUGE_ID], [HUGE_ID, "1e3", " 1", "\x00"]]
)
def test_overflowing_member_ids_to_bulk_revoke_revoke_nobody(members, client_for, ids):
    from memberships.models import Membership

    owner, victim = members["owner"], members["viewer"]
    ids = [str(victim.pk) if value == "victim" else value for value in ids]
    url = reverse("people:bulk_revoke", kwargs={"slug": owner.account.slug})
    client = client_for(owner.user)
    before = snapshot()
    confirm = client.get(url, {"member": ids})
    assert confirm.status_code == 302
    response = client.post(url, {"member": ids})
    assert response.status_code == 302
    assert snapshot() == before
    assert Membership.objects.filter(pk=victim.pk, status="active").exists()


def test_overflowing_account_id_in_the_invite_form_is_a_form_error(members, client_for):
    admin = members["admin"]
    url = reverse("invitations:invite", kwargs={"slug": admin.account.slug})
    before = snapshot()
    response = client_for(admin.user).post(
        url, {"emails": "new@example.test", "accounts": [HUGE_ID], "level": "viewer"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("accounts")
    assert snapshot() == before


def test_overflowing_new_owner_id_in_the_transfer_form_is_a_form_error(members, client_for):
    from tests.factories import TEST_PASSWORD

    owner = members["owner"]
    url = reverse("people:transfer", kwargs={"slug": owner.account.slug})
    before = snapshot()
    response = client_for(owner.user).post(url, {"new_owner": HUGE_ID, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].has_error("new_owner")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/members/{HUGE_ID}"),
        ("patch", f"/members/{HUGE_ID}"),
        ("delete", f"/members/{HUGE_ID}"),
        ("delete", f"/invitations/{HUGE_ID}"),
        ("get", f"/members?offset={HUGE_ID}"),
        ("get", f"/members?limit={HUGE_ID}"),
    ],
)
def test_overflowing_ids_in_the_api_are_refused(owner_key, method, path):
    before = snapshot()
    body = {} if method == "get" else {"data": {"level": "viewer"}}
    response = getattr(Client(), method)(
        f"{API}{path}", content_type="application/json", **body, **bearer(owner_key)
    )
    assert_api_error(response, 422)
    assert snapshot() == before


def test_largest_api_offset_is_an_empty_page(owner_key):
    response = Client().get(f"{API}/members?offset={2**63 - 1}", **bearer(owner_key))
    assert response.status_code == 200
    assert response.json()["items"] == []


# --- (c) Every form, every field, hostile values ---------------------------------------------

LONG = "x" * 10_000
CONTROL = ["Ada\r\nLovelace", "Ada\nLovelace", "Ada\x00Lovelace", "Ada\x07", "Ada\u0085Lovelace"]
# Sent to every field of every form (the names test sends every CONTROL value to names).
HOSTILE = [LONG, "Ada\r\nLovelace", "Ada\x00Lovelace", HUGE_ID]
NON_UTF8 = [b"%FF%FE", b"\xff"]  # percent-encoded, and a raw byte that is not UTF-8
CONTROL_MESSAGE = "Remove control characters"
STRONG = "Blue-Harbour-77!"
_serial = iter(range(10**9))


@pytest.fixture(autouse=True)
def _no_rate_limits():
    """Each hostile post is judged alone: wrong passwords earlier in a loop must not turn the
    next one into a rate-limit refusal."""
    from django.core.cache import cache

    yield cache.clear


def _account_url(name, membership, **kwargs):
    return reverse(name, kwargs={"slug": membership.account.slug, **kwargs})


def _signup(members, client_for):
    n = next(_serial)
    data = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "email": f"signup{n}@example.test",
        "account_name": f"Lopez Bakery {n}",
        "password1": STRONG,
        "password2": STRONG,
    }
    return Client(), reverse("account_signup"), data


def _login(members, client_for):
    from tests.factories import TEST_PASSWORD

    data = {"login": members["viewer"].user.email, "password": TEST_PASSWORD}
    return Client(), reverse("account_login"), data


def _account_login(members, client_for):
    client, _url, data = _login(members, client_for)
    return client, _account_url("account_specific_login", members["viewer"]), data


def _password_reset(members, client_for):
    return Client(), reverse("account_reset_password"), {"email": members["viewer"].user.email}


def _password_change(members, client_for):
    from tests.factories import TEST_PASSWORD

    data = {"oldpassword": TEST_PASSWORD, "password1": STRONG, "password2": STRONG}
    return client_for(members["viewer"].user), reverse("account_change_password"), data


def _email_add(members, client_for):
    data = {"email": f"second{next(_serial)}@example.test", "action_add": ""}
    return client_for(members["viewer"].user), reverse("account_email"), data


def _profile(members, client_for):
    data = {"first_name": "Ada", "last_name": "Lovelace", "mobile": "", "time_zone": "UTC"}
    return client_for(members["viewer"].user), reverse("profile"), data


def _rename(members, client_for):
    owner = members["owner"]
    url = _account_url("account_settings:index", owner)
    return client_for(owner.user), url, {"name": f"Renamed {next(_serial)}"}


def _two_factor(members, client_for):
    owner = members["owner"]
    return (
        client_for(owner.user),
        _account_url("account_settings:two_factor", owner),
        {"enabled": "off"},
    )


def _billing_access(members, client_for):
    owner = members["owner"]
    url = _account_url("account_settings:billing_access", owner)
    return client_for(owner.user), url, {"enabled": "on"}


def _close(members, client_for):
    from tests.factories import TEST_PASSWORD

    owner = members["owner"]
    data = {"confirm_name": owner.account.name, "password": TEST_PASSWORD}
    return client_for(owner.user), _account_url("account_settings:close", owner), data


def _notifications(members, client_for):
    admin = members["admin"]
    data = {f"{admin.pk}-on_joined": "on", f"{admin.pk}-on_left": "", f"{admin.pk}-x": "on"}
    return client_for(admin.user), reverse("notification_settings"), data


def _api_key(members, client_for):
    owner = members["owner"]
    url = _account_url("apikeys:create", owner)
    return client_for(owner.user), url, {"name": "CRM sync", "expires_on": ""}


def _plan(members, client_for):
    owner = members["owner"]
    return client_for(owner.user), _account_url("billing:subscription", owner), {"plan": "free"}


def _address(members, client_for):
    owner = members["owner"]
    data = {
        "contact_name": "Ada Lovelace",
        "company": "Analytical Engines",
        "address_line1": "1 Main Street",
        "address_line2": "",
        "postal_code": "28013",
        "city": "Madrid",
        "region": "",
        "country": "ES",
        "tax_id": "",
        "billing_email": "",
    }
    return client_for(owner.user), _account_url("billing:address", owner), data


def _invite(members, client_for):
    admin = members["admin"]
    data = {
        "emails": f"new{next(_serial)}@example.test",
        "accounts": [str(admin.account_id)],
        "level": "viewer",
        "message": "",
    }
    return client_for(admin.user), _account_url("invitations:invite", admin), data


def _accept_signup(members, client_for):
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(account=members["owner"].account, invited_by=None)
    client = Client()
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    data = {
        "action": "signup",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "password1": STRONG,
        "password2": STRONG,
    }
    return client, reverse("invitations:accept"), data


def _edit_level(members, client_for):
    owner, target = members["owner"], members["viewer"]
    url = _account_url("people:edit_level", owner, member_id=target.pk)
    return client_for(owner.user), url, {"level": "author"}


def _bulk_revoke(members, client_for):
    owner = members["owner"]
    url = _account_url("people:bulk_revoke", owner)
    return client_for(owner.user), url, {"member": [str(members["viewer"].pk)]}


def _transfer(members, client_for):
    from tests.factories import TEST_PASSWORD

    owner = members["owner"]
    data = {"new_owner": str(members["admin"].pk), "password": TEST_PASSWORD}
    return client_for(owner.user), _account_url("people:transfer", owner), data


def _users_filter(members, client_for):
    owner = members["owner"]
    data = {"q": "person", "level": "viewer", "status": "active", "page": "1", "inv_page": "1"}
    return client_for(owner.user), _account_url("people:users", owner), data


def _activity_filter(members, client_for):
    owner = members["owner"]
    data = {"person": "person", "action": "", "page": "1"}
    return client_for(owner.user), _account_url("audit:activity", owner), data


# name: (prepare, fields that are names, method)
FORMS = {
    "signup": (_signup, {"first_name", "last_name", "account_name"}, "post"),
    "login": (_login, set(), "post"),
    "account_login": (_account_login, set(), "post"),
    "password_reset": (_password_reset, set(), "post"),
    "password_change": (_password_change, set(), "post"),
    "email_add": (_email_add, set(), "post"),
    "profile": (_profile, {"first_name", "last_name"}, "post"),
    "rename_account": (_rename, {"name"}, "post"),
    "two_factor_requirement": (_two_factor, set(), "post"),
    "billing_access": (_billing_access, set(), "post"),
    "close_account": (_close, set(), "post"),
    "notifications": (_notifications, set(), "post"),
    "api_key": (_api_key, {"name"}, "post"),
    "change_plan": (_plan, set(), "post"),
    "billing_address": (_address, {"contact_name", "company"}, "post"),
    "invite": (_invite, set(), "post"),
    "accept_signup": (_accept_signup, {"first_name", "last_name"}, "post"),
    "edit_level": (_edit_level, set(), "post"),
    "bulk_revoke": (_bulk_revoke, set(), "post"),
    "transfer": (_transfer, set(), "post"),
    "users_filter": (_users_filter, set(), "get"),
    "activity_filter": (_activity_filter, set(), "get"),
}


def _encode(data: dict, field: str, raw: bytes) -> bytes:
    """`data` form-encoded, with `field`'s value replaced by `raw` bytes sent as they are."""
    from urllib.parse import urlencode

    others = urlencode({k: v for k, v in data.items() if k != field}, doseq=True).encode()
    return b"&".join(part for part in (others, field.encode() + b"=" + raw) if part)


def _send(client, method, url, data=None, raw: bytes | None = None):
    if method == "get":
        if raw is None:
            return client.get(url, data)
        return client.get(url, QUERY_STRING=raw.decode("latin-1"))
    if raw is None:
        return client.post(url, data)
    return client.post(url, raw, content_type="application/x-www-form-urlencoded")


def _accepted(response) -> bool:
    """Whether the submission was taken: a redirect without an error message (some pages
    refuse by redirecting back with one), or the new API key's page."""
    from django.contrib import messages

    if response.status_code in (301, 302, 303):
        shown = messages.get_messages(response.wsgi_request)
        return not any(message.level >= messages.ERROR for message in shown)
    return "raw_key" in (response.context or {})


def _form_errors(response, field) -> list[str]:
    """The errors shown next to `field` in the page's form (whichever name it has there)."""
    for name in ("form", "signup_form"):
        form = (response.context or {}).get(name)
        if form is not None and hasattr(form, "errors"):
            return list(form.errors.get(field, []))
    return []


def _attempt(members, client_for, prepare, method, *, value=None, field=None, raw=None):
    """Send one hostile submission; return (response, refused, database unchanged)."""
    from django.core.cache import cache

    cache.clear()
    client, url, data = prepare(members, client_for)
    if value is not None:
        data = {**data, field: value}
    before = snapshot()
    response = _send(client, method, url, data, raw)
    assert response.status_code < 500, (url, field, value, raw, response.status_code)
    refused = method == "get" or not _accepted(response)
    return response, refused, snapshot() == before


@pytest.fixture
def same_client_for(client_for):
    """`client_for`, logging each person in once: the loops below send many requests."""
    clients = {}

    def make(user):
        if user.pk not in clients:
            clients[user.pk] = client_for(user)
        return clients[user.pk]

    return make


@pytest.mark.parametrize(
    "form",
    [form for form in FORMS],
)
def test_hostile_values_in_any_field_never_500_and_change_nothing_when_refused(
    members, same_client_for, form
):
    client_for = same_client_for
    prepare, _names, method = FORMS[form]
    _client, _url, data = prepare(members, client_for)
    for field in data:
        for value in HOSTILE:
            _response, refused, unchanged = _attempt(
                members, client_for, prepare, method, value=value, field=field
            )
            assert unchanged or not refused, (form, field, value)
        for raw in NON_UTF8:
            _response, refused, unchanged = _attempt(
                members, client_for, prepare, method, raw=_encode(data, field, raw), field=field
            )
            assert unchanged or not refused, (form, field, raw)
    for raw in NON_UTF8:
        _response, refused, unchanged = _attempt(members, client_for, prepare, method, raw=raw)
        assert unchanged or not refused, (form, raw)


NAME_FIELDS = [
    pytest.param(
        form,
        field,
        id=f"{form}-{field}",
    )
    for form, (_prepare, names, _method) in FORMS.items()
    for field in sorted(names)
]


@pytest.mark.parametrize(("form", "field"), NAME_FIELDS)
@pytest.mark.parametrize("value", CONTROL, ids=["crlf", "lf", "nul", "bel", "nel"])
def test_names_refuse_control_characters_next_to_the_field(members, client_for, form, field, value):
    prepare, _names, method = FORMS[form]
    response, refused, unchanged = _attempt(
        members, client_for, prepare, method, value=value, field=field
    )
    assert refused and unchanged
    assert any(CONTROL_MESSAGE in error for error in _form_errors(response, field)), _form_errors(
        response, field
    )


@pytest.mark.parametrize("form", [f for f in FORMS if FORMS[f][1]])
def test_names_in_any_script_are_still_accepted(members, client_for, form):
    prepare, names, method = FORMS[form]
    for field in sorted(names):
        response, refused, _unchanged = _attempt(
            members, client_for, prepare, method, value="Zoë Ñandú-Þór 李", field=field
        )
        assert not refused, (field, _form_errors(response, field))


@pytest.mark.parametrize(
    "body",
    [
        b"\xff",
        b'{"emails": ["a@example.test"], "level": "viewer", "message": "\xff"}',
        b'{"emails": ["a\\u0000@example.test"], "level": "viewer"}',
        b'{"emails": ["a@example.test"], "level": "viewer", "message": "a\\u0000b"}',
        b'{"emails": ["' + b"x" * 10_000 + b'@example.test"], "level": "viewer"}',
        b'{"emails": ["a@example.test"], "level": "' + HUGE_ID.encode() + b'"}',
        b"[]",
        b"null",
    ],
)
def test_hostile_api_bodies_never_500_and_change_nothing_when_refused(owner_key, body):
    before = snapshot()
    response = Client().post(
        f"{API}/invitations", body, content_type="application/json", **bearer(owner_key)
    )
    assert response.status_code < 500
    if response.status_code != 201:
        assert_api_error(response, response.status_code)
        assert snapshot() == before


def test_the_name_validator_refuses_exactly_unicode_category_cc():
    import unicodedata

    from django.core.exceptions import ValidationError

    from accounts.validators import validate_no_control_characters

    for code_point in range(0x110000):
        char = chr(code_point)
        if 0xD800 <= code_point <= 0xDFFF:
            continue  # surrogates never reach a form: request data is decoded text
        refused = True
        try:
            validate_no_control_characters(f"Ada{char}")
        except ValidationError:
            pass
        else:
            refused = False
        assert refused == (unicodedata.category(char) == "Cc"), hex(code_point)


# --- (d) The text-message (SMS 2FA) forms, issue 18 ------------------------------------------

# Each is refused by the form before any code is checked (a well-formed wrong code would
# rightly count as a wrong try).
SMS_HOSTILE = [*HOSTILE, "1" * 200_000, "12345\x00", "123\x07456", "1234567"]


def _sms_person(user, *, verified=True):
    from django.utils import timezone

    from sms.models import PhoneNumber

    user.mobile = "+34612345678"
    user.save(update_fields=["mobile"])
    now = timezone.now()
    PhoneNumber.objects.update_or_create(
        user=user,
        defaults={
            "number": user.mobile,
            "verified_at": now if verified else None,
            "two_factor_since": now if verified else None,
        },
    )


def _sms_login(members, client_for):
    """A login waiting for its text-message code (the code already sent)."""
    from tests.factories import TEST_PASSWORD

    user = members["viewer"].user
    _sms_person(user)
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.get(reverse("sms_authenticate"))
    return client, reverse("sms_authenticate"), {"code": "123456"}


def _sms_verify(members, client_for):
    user = members["author"].user
    _sms_person(user, verified=False)
    client = client_for(user)
    client.post(reverse("sms_verify_number"), {"resend": "1"})
    return client, reverse("sms_verify_number"), {"code": "123456"}


def _sms_reauthenticate(members, client_for):
    user = members["manager"].user
    _sms_person(user)
    client = client_for(user)
    client.post(reverse("sms_reauthenticate"), {"resend": "1"})
    return client, reverse("sms_reauthenticate"), {"code": "123456"}


def _sms_toggle(members, client_for):
    user = members["admin"].user
    _sms_person(user)
    return client_for(user), reverse("sms_two_factor"), {"enabled": "off"}


SMS_FORMS = {
    "sms_login": _sms_login,
    "sms_verify": _sms_verify,
    "sms_reauthenticate": _sms_reauthenticate,
    "sms_toggle": _sms_toggle,
}


@pytest.mark.parametrize("form", list(SMS_FORMS))
def test_hostile_values_in_the_sms_forms_never_500_and_change_nothing(
    members, same_client_for, form, settings, django_capture_on_commit_callbacks
):
    from sms.models import Challenge

    settings.SMS_BACKEND = "sms.backends.locmem.SmsBackend"
    prepare = SMS_FORMS[form]
    with django_capture_on_commit_callbacks(execute=True):  # a live code waits
        client, url, data = prepare(members, same_client_for)
    if form != "sms_toggle":
        assert Challenge.objects.exclude(code_hash="").exists()
    [field] = data
    attempts = [{"value": value} for value in SMS_HOSTILE]
    attempts += [{"raw": _encode(data, field, raw)} for raw in NON_UTF8]
    attempts += [{"raw": raw} for raw in NON_UTF8]
    for attempt in attempts:
        before = snapshot()
        if "value" in attempt:
            response = _send(client, "post", url, {field: attempt["value"]})
        else:
            response = _send(client, "post", url, raw=attempt["raw"])
        assert response.status_code < 500, (form, attempt)
        assert snapshot() == before, (form, attempt)  # no code checked, nothing turned off
        if form != "sms_toggle" and "value" in attempt and response.status_code == 200:
            assert _form_errors(response, "code"), (form, attempt)
    assert not Challenge.objects.filter(wrong_tries__gt=0).exists()
    if form == "sms_login":  # still half logged in
        overview = reverse("overview", kwargs={"slug": members["viewer"].account.slug})
        assert client.get(overview).status_code == 302


def test_an_overflowing_or_foreign_choice_of_text_messages_at_login_is_refused(members):
    from tests.factories import TEST_PASSWORD

    user = members["viewer"].user
    _sms_person(user)
    client = Client()
    # No login at the app step: the choice is refused, whatever is posted with it.
    for raw in (b"\xff", b"x=" + HUGE_ID.encode(), b"%FF%FE"):
        response = client.post(
            reverse("sms_use_text_message"), raw, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("account_login")
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert client.get(reverse("sms_use_text_message")).status_code == 405

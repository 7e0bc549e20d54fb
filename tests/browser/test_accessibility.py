"""Every page heard and seen (issue 17, items 13-15), in Chromium:

(a) axe-core finds nothing serious or critical on every page of the URLconf, at 320 px and at
    a desktop width, and at 320 px nothing but a table region scrolls sideways (WCAG 1.4.10);
(b) a form submitted with errors puts focus on its error summary, the title starts "Error: ",
    and the summary's links take focus to the fields;
(c) after an action its message is in exactly one polite status region, with no alert in it;
(d) a whole journey by keyboard alone: a wrong password, the fix, two invitations, a level, a
    suspension, and the invitee accepting from the emailed link.
"""

import re
from datetime import timedelta

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from joining.models import JoinRequest
from memberships.models import Membership
from tests.browser.conftest import assert_accessible
from tests.conftest import record_login
from tests.factories import (
    TEST_PASSWORD,
    AccountFactory,
    ActivityEventFactory,
    ApiKeyFactory,
    BillingAddressFactory,
    InvitationFactory,
    InvoiceFactory,
    MembershipFactory,
    UserFactory,
)
from tests.memberships.test_every_door import _patterns

pytestmark = pytest.mark.django_db(transaction=True)

NARROW, WIDE = 320, 1280
# URL patterns not visited as pages, and why.
NOT_PAGES = {
    "django-admin/": "the staff back office (Django's own admin)",
    "api/v1/": "the JSON API (its docs page is scanned in tests/browser/test_api_docs.py)",
    "^api/": "JSON 404s",
    "scim/v2/": "SCIM: JSON for identity providers",
    "accounts/2fa/webauthn/keys/<int:pk>/": "needs a security key, which a test cannot make",
    "accounts/logout/": "visited last would sign the person out; its page is the sign-out button",
}


@pytest.fixture
def mailbox(settings, live_server):
    """Emails kept in memory (django.core.mail.outbox), the live server runs in this process."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.SITE_URL = live_server.url
    mail.outbox = []
    return mail.outbox


def populated_account():
    """An account with something on every page: people at every level, a suspended one,
    invitations, an API key, an invoice, a billing address, activity, an Owner with an
    authenticator app and recovery codes."""
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    owner = MembershipFactory(
        account=account,
        role="owner",
        user=UserFactory(email="owner@acme.test", first_name="Olive", last_name="Owner"),
    )
    TOTP.activate(owner.user, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(owner.user)
    people = {
        role: MembershipFactory(
            account=account, role=role, user=UserFactory(email=f"{role}@acme.test")
        )
        for role in ("admin", "manager", "author", "viewer")
    }
    MembershipFactory(account=account, role="viewer", status="suspended")
    invitation = InvitationFactory(account=account, invited_by=owner.user)
    InvitationFactory(
        account=account, invited_by=owner.user, email="a-long-address.example@acme.test"
    )
    key = ApiKeyFactory(account=account, created_by=owner.user)
    invoice = InvoiceFactory(account=account)
    BillingAddressFactory(account=account)
    for _ in range(3):
        ActivityEventFactory(account=account, actor=owner.user)
    from scim.models import ScimToken

    token = ScimToken.objects.create(
        account=account, created_by=owner.user, name="Okta", prefix="acmescim", secret_hash="-"
    )
    join_request = JoinRequest.objects.create(
        account=account,
        user=UserFactory(email="asking@example.test"),
        note="I run the Lisbon office.",
        expires_at=timezone.now() + timedelta(days=30),
    )
    kwargs = {
        "request_id": join_request.pk,
        "token": invitation.raw_token,
        "slug": account.slug,
        "member_id": people["viewer"].pk,
        "invitation_id": invitation.pk,
        "key_id": key.pk,
        "number": invoice.number,
        "token_id": token.pk,
    }
    return account, owner, people, invitation, kwargs


def key_kwargs(user):
    """Arguments of allauth's key pages (regular expressions, reversed by name): a password
    reset link for `user` and a confirmation link for an address they have not verified."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    address = EmailAddress.objects.create(user=user, email="second@acme.test", verified=False)
    return {
        "account_reset_password_from_key": {
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
        "account_confirm_email": {"key": EmailConfirmationHMAC(address).key},
    }


def page_urls(kwargs, by_name):
    """A URL for every GET-able page pattern of the URLconf; fails on a pattern whose
    arguments it cannot fill, so a new page is scanned the day it is added."""
    urls, unfilled = [], []
    for route, name, _pattern in _patterns():
        if any(route.startswith(prefix) for prefix in NOT_PAGES):
            continue
        if name in by_name:
            urls.append(reverse(name, kwargs=by_name[name]))
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if any(name not in kwargs for name in names) or "(?P<" in route:
            unfilled.append(route)
            continue
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
        urls.append(url.replace("^", "").replace("$", ""))
    assert not unfilled, f"Pages with arguments this test cannot fill: {unfilled}"
    return urls


def signed_in_context(browser, live_server, user, width):
    """A browser context with `user` signed in a moment ago (no 2FA prompt on the way)."""
    client = Client()
    client.force_login(user)
    record_login(client, user)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def overflow(page) -> str:
    """What makes the page scroll sideways at its viewport width ("" when nothing does):
    overflow inside a table region is that region's own scrolling, not the page's."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= window.innerWidth) return "";
        const culprits = [...document.querySelectorAll("body *")].filter((el) => {
          const box = el.getBoundingClientRect();
          return box.right > width + 1 && !el.closest(".table-responsive")
            && getComputedStyle(el).position !== "fixed";
        }).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
            + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : ""));
        return `scrollWidth ${document.documentElement.scrollWidth}: ${culprits.slice(0, 6)}`;
      }"""
    )


def scan(page, url, width, seen, problems):
    """Visit `url` (when it is an HTML page), scan it with axe and, at 320 px, for overflow."""
    response = page.request.get(url, max_redirects=5)
    content_type = response.headers.get("content-type", "")
    if response.status == 405 or not content_type.startswith("text/html"):
        return
    page.goto(url)
    where = (page.url.split("?")[0], page.title())
    if where in seen:
        return
    seen.add(where)
    try:
        assert_accessible(page)
    except AssertionError as error:
        problems.append(f"{url} at {width}px: {error}")
    if width == NARROW and (why := overflow(page)):
        problems.append(f"{url} scrolls sideways at {width}px: {why}")


# --- (a) every page, two widths ------------------------------------------------------------


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_every_page_passes_axe_and_reflows(browser, live_server, width):
    account, owner, _people, _invitation, kwargs = populated_account()
    urls = page_urls(kwargs, key_kwargs(owner.user))
    problems, seen = [], set()

    context = signed_in_context(browser, live_server, owner.user, width)
    page = context.new_page()
    for url in urls:
        if not url.startswith("/accounts/password/reset/key/"):  # for the signed-out, below
            scan(page, url, width, seen, problems)
    context.close()

    # Signed out: the public pages (sign in, sign up, password reset, the account's own
    # login) and an invitation opened from its link.
    anonymous = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    page = anonymous.new_page()
    public = ("/accounts/", f"/a/{account.slug}/login", "/invitations/")
    for url in urls:
        if url.startswith(public):
            scan(page, url, width, seen, problems)
    anonymous.close()

    print(f"{len(seen)} pages scanned at {width} px")
    assert len(seen) > 40, f"only {len(seen)} pages scanned: {sorted(seen)}"
    assert not problems, "\n".join(problems)


def test_the_scan_fails_on_an_inline_style_the_csp_refuses(page):
    """The scan of every page also reads the console: a `style` attribute slipped into a real
    page (served with its own headers) is refused by the CSP and fails the scan."""

    def with_inline_style(route):
        response = route.fetch()
        body = response.text().replace("<main ", '<main style="color: #333" ', 1)
        route.fulfill(response=response, body=body)

    page.route("**/accounts/login/", with_inline_style)
    page.goto("/accounts/login/")
    with pytest.raises(AssertionError, match="Content Security Policy"):
        assert_accessible(page)
    page.unroute("**/accounts/login/")
    page.goto("/accounts/login/")
    assert_accessible(page)  # the page as served: nothing refused


def test_narrow_screen_sidebar_is_a_menu_button_and_tables_scroll_in_their_region(
    browser, live_server
):
    account, owner, *_ = populated_account()
    context = signed_in_context(browser, live_server, owner.user, NARROW)
    page = context.new_page()
    page.goto(f"/a/{account.slug}/users/")

    sections = page.get_by_role("navigation", name="Acme sections")
    users_link = sections.get_by_role("link", name="Users")
    expect(users_link).to_be_hidden()
    menu = sections.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.focus()
    page.keyboard.press("Enter")
    expect(users_link).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")

    region = page.get_by_role("region", name="Members")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")  # it scrolls, the page not
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW
    context.close()

    # Without JavaScript the sections stay open and the button is gone.
    no_js = browser.new_context(
        base_url=live_server.url,
        viewport={"width": NARROW, "height": 800},
        java_script_enabled=False,
    )
    no_js.add_cookies(signed_in_context_cookies(live_server, owner.user))
    page = no_js.new_page()
    page.goto(f"/a/{account.slug}/users/")
    sections = page.get_by_role("navigation", name="Acme sections")
    expect(sections.get_by_role("link", name="Users")).to_be_visible()
    expect(sections.get_by_role("button", name="Menu")).to_be_hidden()
    no_js.close()


def signed_in_context_cookies(live_server, user):
    client = Client()
    client.force_login(user)
    record_login(client, user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}]


# --- (b) the error summary -----------------------------------------------------------------


def focused(page) -> str:
    """The focused element's opening tag, for assertions and their messages."""
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el ? el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1) : ''; }"
    )


def expect_summary_focused(page):
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: "), page.title()
    return summary


def test_invite_and_profile_errors_focus_the_summary_whose_links_reach_the_fields(
    browser, live_server
):
    account, owner, *_ = populated_account()
    context = signed_in_context(browser, live_server, owner.user, WIDE)
    page = context.new_page()

    page.goto(f"/a/{account.slug}/users/invite/")
    page.get_by_label("Email addresses").fill("not-an-email")
    page.get_by_role("button", name="Send invitations").click()
    summary = expect_summary_focused(page)
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Email addresses")).to_be_focused()

    page.goto("/settings/profile/")
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name=re.compile("^Save")).click()
    summary = expect_summary_focused(page)
    link = summary.get_by_role("link", name=re.compile("required", re.I))
    expect(link).to_have_attribute("href", "#id_first_name")
    link.click()
    expect(page.get_by_label("First name")).to_be_focused()

    # A radio group: the link goes to its first choice, the group names its error.
    page.goto(f"/a/{account.slug}/settings/transfer/")
    page.get_by_label("Your current password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Transfer ownership").click()
    summary = expect_summary_focused(page)
    summary.get_by_role("link").first.click()
    assert 'name="new_owner"' in focused(page), focused(page)
    group = page.get_by_role("group", name=re.compile("New Owner"))
    error_id = page.locator("#id_new_owner_error")
    expect(error_id).to_be_visible()
    assert "id_new_owner_error" in group.get_attribute("aria-describedby").split()
    context.close()


def test_wrong_password_focuses_the_summary_holding_the_login_error(page):
    member = MembershipFactory(role="owner")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = expect_summary_focused(page)
    expect(summary).to_contain_text("not correct")
    expect(page.locator("[role=alert]")).to_have_count(1)  # the summary's own, no bare alert
    assert_accessible(page)


def test_a_refused_invitation_accept_focuses_the_summary_holding_the_refusal(browser, live_server):
    invitation = InvitationFactory(access_until=timezone.now() - timedelta(hours=1))
    invitee = UserFactory(email=invitation.email)
    context = signed_in_context(browser, live_server, invitee, WIDE)
    page = context.new_page()
    page.goto(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    page.get_by_role("button", name="Accept invitation").click()

    summary = expect_summary_focused(page)
    expect(summary).to_contain_text("has already ended")
    expect(page.locator("[role=alert]")).to_have_count(1)  # the summary's own, no bare alert
    assert_accessible(page)
    assert not Membership.objects.filter(user=invitee).exists()
    context.close()


# --- (c) the live region -------------------------------------------------------------------


def test_a_success_message_is_in_one_status_region_without_an_alert(browser, live_server):
    account, owner, people, *_ = populated_account()
    context = signed_in_context(browser, live_server, owner.user, WIDE)
    page = context.new_page()
    page.goto(f"/a/{account.slug}/users/{people['viewer'].pk}/level/")
    page.get_by_label("Author").check()
    page.get_by_role("button", name="Save level").click()

    live = page.locator("[role=status], [aria-live]")
    with_message = live.filter(has_text="is now Author")
    expect(with_message).to_have_count(1)
    expect(live).to_have_count(1)
    expect(with_message.locator("[role=alert]")).to_have_count(0)
    assert with_message.get_attribute("aria-live") == "polite"
    expect(with_message).to_be_focused()  # read once, where the person now is
    assert_accessible(page)
    context.close()


# --- (d) by keyboard alone -----------------------------------------------------------------


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False):
    """Press Tab until the focused element matches `selector` (a person tabbing through)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    pytest.fail(f"{selector} not reached by {key}; focus is on {focused(page)}")


def choose_by_keyboard(page, name: str, value: str):
    """Move a focused radio group or select to `value` with the arrow keys."""
    for _ in range(10):
        if page.evaluate(
            "([n, v]) => { const el = document.querySelector(`[name='${n}']`);"
            " return el.tagName === 'SELECT' ? el.value === v"
            " : document.querySelector(`[name='${n}'][value='${v}']`).checked; }",
            [name, value],
        ):
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{name} did not reach {value}")


def test_keyboard_only_journey(new_page, mailbox):
    account = AccountFactory(name="Acme", slug="acme", plan="premium")
    owner = MembershipFactory(account=account, role="owner", user=UserFactory(email="o@acme.test"))
    target = MembershipFactory(
        account=account, role="viewer", user=UserFactory(email="t@acme.test")
    )
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # Enter on a data-confirm form's OK
    page.goto("/accounts/login/")

    # A wrong password: focus lands on the summary that holds the error.
    tab_to(page, "input[name=login]")
    page.keyboard.type(owner.user.email)
    tab_to(page, "input[name=password]")
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")
    summary = expect_summary_focused(page)
    expect(summary).to_contain_text("not correct")
    assert_accessible(page)

    # Fix it from the summary: its link goes to the form, then the password.
    page.keyboard.press("Tab")
    assert "alert-link" in focused(page), focused(page)
    page.keyboard.press("Enter")
    assert 'name="login"' in focused(page), focused(page)
    tab_to(page, "input[name=password]")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Acme", exact=True)).to_be_visible()
    assert_accessible(page)

    # Invite two people.
    tab_to(page, "a[href$='/users/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    tab_to(page, "a[href$='/users/invite/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Invite users")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "textarea[name=emails]")
    page.keyboard.type("ana@example.test, bo@example.test")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("[role=status]")).to_be_focused()
    expect(page.locator("[role=status]")).to_contain_text("2 invitations")
    assert_accessible(page)

    # Change a level: back to the Users page through the sidebar (it comes before the
    # messages, where focus is).
    tab_to(page, "nav.sidebar a[href$='/users/']", backwards=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    tab_to(page, f"tr[data-member='{target.user.email}'] a[href$='/level/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("^Edit the level"))).to_be_visible()
    tab_to(page, "[name=level]")
    choose_by_keyboard(page, "level", "author")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("[role=status]")).to_contain_text("is now Author")
    expect(page.locator("[role=status]")).to_be_focused()

    # Suspend someone.
    tab_to(page, f"tr[data-member='{target.user.email}'] a[href$='/suspend/']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/suspend/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Suspend")
    assert_accessible(page)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(
        page.locator(f"tr[data-member='{target.user.email}'] [data-testid=status]")
    ).to_have_text("Suspended")
    target.refresh_from_db()
    assert (target.role, target.status) == ("author", "suspended")

    # The invitee opens the emailed link and accepts, by keyboard.
    email = next(m for m in mailbox if "ana@example.test" in m.to)
    link = re.search(r"https?://\S+/invitations/[A-Za-z0-9_\-]+/", email.body).group(0)
    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join Acme")).to_be_visible()
    assert_accessible(invitee)
    fields = invitee.locator(
        "form:has(button[value=signup]) :is(input, select):visible:not([disabled], [readonly])"
    )
    for index in range(fields.count()):
        field = fields.nth(index)
        name = field.get_attribute("name")
        tab_to(invitee, f"[name='{name}']")
        if field.get_attribute("type") == "password":
            invitee.keyboard.type("Blue-Harbour-77!")
        elif field.get_attribute("type") == "checkbox":
            invitee.keyboard.press("Space")
        elif field.evaluate("el => el.tagName") == "INPUT" and not field.input_value():
            invitee.keyboard.type("Ana" if "first" in name else "Example")
    tab_to(invitee, "button[value=signup]")
    invitee.keyboard.press("Enter")
    # Exact: the accept page's own heading, "Join Acme", would match a substring at once.
    expect(invitee).to_have_url(re.compile(r"/a/acme/$"))
    expect(invitee.get_by_role("heading", name="Acme", exact=True)).to_be_visible()
    assert Membership.objects.filter(account=account, user__email="ana@example.test").exists()
    assert_accessible(invitee)

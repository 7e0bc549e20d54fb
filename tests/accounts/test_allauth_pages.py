"""allauth's pages look and behave like Roster's: inside the shell, sentence case, a way back,
readable sessions (issue 17, item 6)."""

import re
from datetime import timedelta
from pathlib import Path

import polib
import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.email_links import verification_link
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SIGNED_OUT = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN = [
    "account_email",
    "account_change_password",
    "mfa_index",
    "usersessions_list",
    "account_reauthenticate",
    "account_logout",
]
# Words that stay capitalised inside a sentence-case heading or button.
PROPER = {"Roster", "IP", "TOTP", "I"}


def texts(html: str, tag: str) -> list[str]:
    found = re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in found]


def title_case_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]*", text)
    return [w for w in words[1:] if w[0].isupper() and w not in PROPER]


@pytest.fixture
def member():
    return MembershipFactory(role="owner", user__time_zone="Asia/Tokyo").user


def page(client, name) -> str:
    response = client.get(reverse(name), HTTP_USER_AGENT=CHROME_LINUX)
    assert response.status_code == 200, name
    return response.content.decode()


def assert_like_roster(html: str, name: str):
    # The shell: Roster's header with its brand, and the main landmark.
    assert re.search(r'<a class="navbar-brand[^"]*" href="/">Roster</a>', html), name
    assert '<main id="main"' in html, name
    # Sentence case in the title and in the page's headings, buttons and labels.
    [title] = texts(html, "title")
    assert not title_case_words(title.removesuffix(" · Roster")), f"{name}: {title}"
    main = html.split('<main id="main"', 1)[1]
    main = re.sub(r'<span class="badge[^"]*"[^>]*>.*?</span>', "", main, flags=re.S)  # one word
    for tag in ("h1", "h2", "button", "label", "th"):
        for text in texts(main, tag):
            assert not title_case_words(text), f"{name}: <{tag}> {text}"


@pytest.mark.parametrize("name", SIGNED_OUT)
def test_signed_out_pages_are_in_the_shell_in_sentence_case(name):
    assert_like_roster(page(Client(), name), name)


@pytest.mark.parametrize("name", SIGNED_IN)
def test_signed_in_pages_are_in_the_shell_in_sentence_case(name, client_for, member):
    html = page(client_for(member), name)
    assert_like_roster(html, name)
    assert 'id="user-menu"' in html or "User menu" in html  # the signed-in header


def test_login_page_says_sign_in_and_offers_the_reset_once():
    html = page(Client(), "account_login")
    assert "Sign In" not in html
    assert texts(html, "h1") == ["Sign in"]
    assert "Sign in" in texts(html, "button")
    assert html.count("Forgot your password?") == 1


def way_back(html: str) -> tuple[str, str] | None:
    match = re.search(r'<a href="([^"]*)" data-testid="way-back">(.*?)</a>', html, re.S)
    if not match:
        return None
    return match.group(1), " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())


def test_signed_out_pages_lead_back_to_sign_in():
    client = Client()
    for name in ("account_reset_password", "account_email_verification_sent"):
        assert way_back(page(client, name)) == (reverse("account_login"), "← Back to sign in")
    # Sign-in and sign-up link to each other instead.
    assert way_back(page(client, "account_login")) is None
    assert way_back(page(client, "account_signup")) is None


def test_settings_pages_lead_back_to_personal_settings(client_for, member):
    client = client_for(member)
    for name in ("account_email", "account_change_password", "mfa_index", "usersessions_list"):
        assert way_back(page(client, name)) == (reverse("profile"), "← Back to personal settings")
    assert client.get(reverse("profile")).status_code == 200


def test_the_way_back_honours_next_on_this_site_only(client_for, member):
    client = client_for(member)
    overview = reverse("overview", kwargs={"slug": member.memberships.get().account.slug})
    html = client.get(reverse("account_change_password"), {"next": overview}).content.decode()
    assert way_back(html) == (overview, "← Back to the previous page")
    for hostile in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        html = client.get(reverse("account_change_password"), {"next": hostile}).content.decode()
        assert way_back(html) == (reverse("profile"), "← Back to personal settings")


def test_reauthentication_does_not_lead_back_into_what_asked_for_it(client_for, member):
    client = client_for(member, stale=True)
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert way_back(response.content.decode()) == (
        reverse("profile"),
        "← Back to personal settings",
    )


def test_sessions_show_device_current_session_and_dates_in_the_persons_zone(client_for, member):
    client = client_for(member)
    page(client, "usersessions_list")  # records this session (Chrome on Linux)
    elsewhere = client_for(member)  # a second, real session: Firefox on Windows
    elsewhere.get(reverse("profile"), HTTP_USER_AGENT=FIREFOX_WINDOWS)
    two_days_ago = timezone.now() - timedelta(days=2)
    assert UserSession.objects.filter(user=member, user_agent=FIREFOX_WINDOWS).update(
        ip="198.51.100.7", created_at=two_days_ago, last_seen_at=two_days_ago
    )

    html = page(client, "usersessions_list")
    rows = re.findall(r"<tr\b([^>]*)>(.*?)</tr>", html, re.S)[1:]
    cells = {" ".join(re.sub(r"<[^>]+>", " ", body).split()): attrs for attrs, body in rows}
    [current] = [text for text, attrs in cells.items() if 'data-current="true"' in attrs]
    assert current.startswith("Chrome on Linux Current session")
    [previous] = [text for text in cells if text.startswith("Firefox on Windows")]
    assert "Current session" not in previous and "198.51.100.7" in previous
    assert "JST" in previous and "UTC" not in html.split("<tbody>")[1]
    assert "Mozilla/5.0" not in re.sub(r'title="[^"]*"', "", html)  # no raw user agent shown
    assert "Sign out other sessions" in texts(html, "button")


def test_the_compiled_catalog_matches_the_po_file():
    """The .mo is committed (msgfmt is not on every machine): it must say what the .po says."""
    [locale] = settings.LOCALE_PATHS
    folder = Path(locale) / "en" / "LC_MESSAGES"
    po, mo = (
        {(e.msgctxt, e.msgid): e.msgstr for e in catalog if e.msgid}
        for catalog in (polib.pofile(folder / "django.po"), polib.mofile(folder / "django.mo"))
    )
    assert po == mo
    assert po[(None, "Sign In")] == "Sign in"


def test_signed_in_person_without_a_login_record_still_gets_the_pages(client_for):
    """A person with no account (no membership) sees the same shell on these pages."""
    lonely = UserFactory()
    client = client_for(lonely)
    for name in SIGNED_IN:
        assert_like_roster(page(client, name), name)


def test_pages_opened_from_emails_are_in_the_shell_with_a_way_back(mailoutbox):
    """The email confirmation and the new-password page, reached by their emailed links."""
    client = Client()
    strong = "Blue-Harbour-77!"
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Ana",
            "last_name": "Lopez",
            "email": "ana@example.com",
            "account_name": "Lopez Bakery",
            "password1": strong,
            "password2": strong,
        },
    )
    html = client.get(verification_link(mailoutbox, "ana@example.com")).content.decode()
    assert_like_roster(html, "account_confirm_email")
    assert texts(html, "h1") == ["Confirm email address"]
    assert way_back(html) == (reverse("account_login"), "← Back to sign in")

    user = UserFactory(email="bea@example.com")
    Client().post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[-1].body)
    response = Client().get(link.group(1), follow=True)
    html = response.content.decode()
    assert_like_roster(html, "account_reset_password_from_key")
    assert texts(html, "h1") == ["Change password"]
    assert way_back(html) == (reverse("account_login"), "← Back to sign in")


def test_two_factor_sub_pages_lead_back_to_two_factor(client_for, member):
    client = client_for(member)
    response = client.post(
        reverse("account_reauthenticate") + "?next=" + reverse("mfa_activate_totp"),
        {"password": TEST_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    html = response.content.decode()
    assert_like_roster(html, "mfa_activate_totp")
    assert texts(html, "h1") == ["Activate authenticator app"]
    assert way_back(html) == (reverse("mfa_index"), "← Back to two-factor authentication")


def test_the_sign_up_page_is_titled_sign_up():
    [title] = texts(page(Client(), "account_signup"), "title")
    assert title == "Sign up · Roster"


def test_the_title_and_the_header_brand_use_the_product_name(settings, client_for, member):
    """PRODUCT_NAME names Roster in its emails, and the same in every page's title and header."""
    settings.PRODUCT_NAME = "Acme People"
    for html in (page(Client(), "account_login"), page(client_for(member), "account_email")):
        [title] = texts(html, "title")
        assert title.endswith(" · Acme People"), title
        assert re.search(r'<a class="navbar-brand[^"]*" href="/">Acme People</a>', html)
        assert "Roster" not in title
    overview = client_for(member).get(reverse("home"), follow=True).content.decode()
    assert texts(overview, "title")[0].endswith(" · Acme People")

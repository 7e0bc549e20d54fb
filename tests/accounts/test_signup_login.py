import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from memberships.models import Membership
from tests.email_links import follow_verification_link
from tests.factories import TEST_PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Blue-Harbour-77!"


def signup(client, **overrides):
    data = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "email": "Ana@Example.com",
        "account_name": "Lopez Bakery",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def test_signup_creates_account_with_signer_as_owner(client, mailoutbox):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "ana@example.com"
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.account.name == "Lopez Bakery"
    assert membership.account.slug == "lopez-bakery"
    # following the emailed link logs in and lands on the Overview of the only account
    response = follow_verification_link(client, mailoutbox, "ana@example.com")
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"] == reverse("overview", kwargs={"slug": "lopez-bakery"})


def test_signup_slug_is_unique_when_names_collide(client):
    AccountFactory(slug="lopez-bakery")
    signup(client)
    account = Membership.objects.get(user__email="ana@example.com").account
    assert account.slug != "lopez-bakery" and account.slug.startswith("lopez-bakery-")


def test_emails_differing_only_in_case_are_one_user(client):
    UserFactory(email="ana@example.com")
    response = signup(client, email="ANA@EXAMPLE.COM")
    # the "verify your email" answer a new email gets: it never says the email is taken
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    assert Membership.objects.count() == 0


def test_database_refuses_case_variant_duplicate():
    UserFactory(email="ana@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="ANA@example.com")])


def test_login_is_case_insensitive(client):
    UserFactory(email="ana@example.com")
    response = client.post(
        reverse("account_login"), {"login": "Ana@EXAMPLE.com", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("email", ["ana@example.com", "nobody@example.com"])
def test_login_failure_says_only_email_or_password_is_wrong(client, email):
    UserFactory(email="ana@example.com")
    response = client.post(
        reverse("account_login"), {"login": email, "password": "Wrong-pass-123!"}
    )
    assert response.status_code == 200
    assert "The email address or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("alllowercase-12!", "uppercase"),
        ("ALLUPPERCASE-12!", "lowercase"),
        ("NoDigitsHere-!!", "digit"),
        ("NoSpecial12345Ab", "special character"),
    ],
)
def test_each_broken_password_rule_is_named(client, password, missing):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"at least one {missing}" in body
    assert User.objects.count() == 0


def test_short_password_names_every_rule_it_breaks(client):
    response = signup(client, password1="abc", password2="abc")
    body = response.content.decode()
    assert "at least 10 characters" in body
    assert "at least one uppercase letter" in body
    assert "at least one digit" in body
    assert "at least one special character" in body
    assert User.objects.count() == 0


def test_common_and_similar_passwords_are_refused(client):
    response = signup(client, password1="Ana.Lopez@Example1", password2="Ana.Lopez@Example1")
    assert "too similar" in response.content.decode()
    assert User.objects.count() == 0


def test_account_login_tells_a_non_member_with_the_right_password_why(client):
    """Issue 17 item 5: not "email or password is not correct", or they reset a password that
    works; a wrong password still gets the generic answer."""
    account = AccountFactory()
    MembershipFactory(account=account, role="owner")
    outsider = UserFactory()
    url = reverse("account_specific_login", kwargs={"slug": account.slug})
    response = client.post(url, {"login": outsider.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    body = response.content.decode()
    assert f"You are not a member of {account.name}." in body
    assert "Your email and password are right" in body
    assert "The email address or password is not correct." not in body
    assert "_auth_user_id" not in client.session
    wrong = client.post(url, {"login": outsider.email, "password": "not-it"})
    assert "The email address or password is not correct." in wrong.content.decode()


def test_account_login_tells_a_suspended_member_they_are_suspended(client):
    membership = MembershipFactory(role="viewer", status="suspended")
    url = reverse("account_specific_login", kwargs={"slug": membership.account.slug})
    response = client.post(url, {"login": membership.user.email, "password": TEST_PASSWORD})
    assert f"Your access to {membership.account.name} is suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_login_admits_member_to_overview(client):
    membership = MembershipFactory(role="viewer")
    url = reverse("account_specific_login", kwargs={"slug": membership.account.slug})
    response = client.post(url, {"login": membership.user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("overview", kwargs={"slug": membership.account.slug})


def test_user_of_several_accounts_chooses_one(client):
    user = UserFactory()
    MembershipFactory(user=user, role="owner")
    MembershipFactory(user=user, role="viewer")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("account_chooser")
    page = client.get(reverse("account_chooser")).content.decode()
    for m in user.memberships.all():
        assert reverse("overview", kwargs={"slug": m.account.slug}) in page


def test_anonymous_root_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert client.get(reverse("account_login")).status_code == 200


def test_chooser_lists_closed_accounts_the_owner_can_reopen(client_for):
    from django.utils import timezone

    owner = MembershipFactory(role="owner")
    owner.account.closed_at = timezone.now()
    owner.account.save()
    MembershipFactory(user=owner.user, role="viewer")
    body = client_for(owner.user).get(reverse("account_chooser")).content.decode()
    assert "Closed accounts you can reopen" in body
    assert reverse("account_settings:reopen", kwargs={"slug": owner.account.slug}) in body

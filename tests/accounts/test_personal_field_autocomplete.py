"""Personal fields say what they hold (autocomplete), required fields carry `required`, and each
form explains its asterisks once (issue 17, item 16)."""

import re

import pytest
from django.urls import reverse

from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

HINT = 'data-testid="required-hint"'


def inputs(page: str) -> dict[str, str]:
    """Each named <input>/<select> tag of the page, by its name."""
    tags = re.findall(r"<(?:input|select)\b[^>]*>", page)
    return {re.search(r'name="([^"]+)"', tag).group(1): tag for tag in tags if "name=" in tag}


def assert_autocomplete(page: str, expected: dict[str, str]) -> None:
    fields = inputs(page)
    for name, token in expected.items():
        assert f'autocomplete="{token}"' in fields[name], (name, fields[name])


def assert_required(page: str, names: list[str]) -> None:
    fields = inputs(page)
    for name in names:
        assert re.search(r"\srequired[\s>]", fields[name]), (name, fields[name])


def test_signup_form(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert_autocomplete(
        page,
        {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "account_name": "organization",
        },
    )
    assert_required(page, ["first_name", "last_name", "email", "account_name"])
    assert page.count(HINT) == 1


def test_profile_form(client_for):
    user = MembershipFactory().user
    page = client_for(user).get(reverse("profile")).content.decode()
    assert_autocomplete(
        page,
        {"first_name": "given-name", "last_name": "family-name", "mobile": "tel"},
    )
    assert_required(page, ["first_name"])
    assert page.count(HINT) == 1


def test_invitation_accept_signup_form(client):
    invitation = InvitationFactory(role="author")
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    page = client.get(reverse("invitations:accept")).content.decode()
    assert_autocomplete(
        page,
        {"first_name": "given-name", "last_name": "family-name", "email": "email"},
    )
    assert_required(page, ["first_name", "last_name", "password1", "password2"])
    assert page.count(HINT) == 1


def test_billing_address_form(client_for):
    owner = MembershipFactory(role="owner")
    url = reverse("billing:address", kwargs={"slug": owner.account.slug})
    page = client_for(owner.user).get(url).content.decode()
    assert_autocomplete(
        page,
        {
            "contact_name": "name",
            "company": "organization",
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "city": "address-level2",
            "region": "address-level1",
            "postal_code": "postal-code",
            "country": "country",
            "billing_email": "email",
        },
    )
    assert_required(page, ["contact_name", "address_line1", "city", "country"])
    assert page.count(HINT) == 1


def test_a_form_without_required_fields_has_no_hint():
    from django import forms
    from django.template import Context, Template

    class Optional(forms.Form):
        note = forms.CharField(required=False)

    html = Template("{% include 'allauth/elements/fields.html' %}").render(
        Context({"attrs": {"form": Optional()}})
    )
    assert HINT not in html

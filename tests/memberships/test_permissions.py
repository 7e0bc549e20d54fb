import pytest

from memberships.access import has_permission
from memberships.permissions import (
    REGISTRY,
    role_has_permission,
    roles_with_permission,
)
from tests.factories import AccountFactory, MembershipFactory, UserFactory

ACCOUNT_ACTIONS = [
    "members.invite",
    "members.revoke",
    "members.set_level",
    "members.suspend",
    "security.require_2fa",
    "account.rename",
    "apikeys.view",
    "apikeys.create",
    "account.export",
    "account.close",
    "activity.view",
]
PRODUCT_AREAS = {"Audiences", "Emails and templates", "Reports"}


@pytest.mark.parametrize("code", ACCOUNT_ACTIONS)
def test_owner_and_admin_hold_every_account_action(code):
    assert roles_with_permission(code)[:2] == ["owner", "admin"]
    assert not role_has_permission("manager", code)


def test_regenerating_api_keys_is_owner_only():
    assert roles_with_permission("apikeys.regenerate") == ["owner"]


@pytest.mark.django_db
def test_billing_is_owner_only_until_the_owner_allows_admins():
    account = AccountFactory(admins_can_manage_billing=False)
    assert roles_with_permission("billing.manage", account=account) == ["owner"]
    account.admins_can_manage_billing = True
    assert roles_with_permission("billing.manage", account=account) == ["owner", "admin"]


def test_manager_sends_emails_imports_and_views_reports_but_no_billing_export_or_close():
    for code in ["emails.create", "emails.send", "audiences.import", "reports.view"]:
        assert role_has_permission("manager", code), code
    for code in ["billing.manage", "audiences.export", "account.close"]:
        assert not role_has_permission("manager", code), code


def test_author_creates_edits_deletes_content_and_views_reports_but_does_not_send():
    for code in [
        "emails.create",
        "emails.edit",
        "emails.delete",
        "templates.manage",
        "automations.manage",
        "reports.view",
    ]:
        assert role_has_permission("author", code), code
    assert not role_has_permission("author", "emails.send")
    assert not role_has_permission("author", "audiences.import")


def test_viewer_never_changes_anything():
    held = {code for code in REGISTRY if role_has_permission("viewer", code)}
    assert held == {"account.view", "reports.view"}


def test_registry_covers_the_product_areas():
    assert {p.area for p in REGISTRY.values()} >= PRODUCT_AREAS


def test_unknown_permission_is_a_programming_error():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        role_has_permission("owner", "members.fly")


@pytest.mark.django_db
def test_has_permission_asks_the_membership():
    membership = MembershipFactory(role="admin")
    assert has_permission(membership.user, membership.account, "members.invite")
    assert not has_permission(membership.user, membership.account, "apikeys.regenerate")
    assert not has_permission(UserFactory(), membership.account, "account.view")
    membership.status = "suspended"
    membership.save()
    assert not has_permission(membership.user, membership.account, "members.invite")


@pytest.mark.django_db
def test_template_tag_and_membership_can_agree(rf):
    from django.template import Context, Template

    membership = MembershipFactory(role="manager")
    request = rf.get("/")
    request.user = membership.user
    request.membership = membership
    template = Template(
        '{% load roster_permissions %}{% has_permission "emails.send" as a %}'
        '{% has_permission "members.invite" as b %}{{ a }} {{ b }} '
        '{% if membership|can:"reports.view" %}yes{% endif %}'
    )
    out = template.render(Context({"request": request, "membership": membership}))
    assert out == "True False yes"


def test_roles_page_puts_the_product_permissions_under_their_own_heading(client_for, members):
    """Issue 17 item 11: nobody looks for the audiences, emails or reports pages in Roster."""
    from django.urls import reverse

    account = members["viewer"].account
    body = (
        client_for(members["viewer"].user)
        .get(reverse("people:roles", kwargs={"slug": account.slug}))
        .content.decode()
    )
    heading = body.index("In the applications built on Roster")
    assert "Roster itself has no such pages" in body
    for code, area in [(p.code, p.area) for p in REGISTRY.values()]:
        position = body.index(f'data-permission="{code}"')
        if area in ("Audiences", "Emails and templates", "Reports"):
            assert position > heading, code
        else:
            assert position < heading, code

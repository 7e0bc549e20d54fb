"""For every account page of this app and every level: the status the registry implies."""

import pytest
from django.urls import reverse

from memberships.permissions import role_has_permission
from tests.conftest import ROLES
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# url name -> permission the page needs (None: any member)
PAGES = {
    "overview": "account.view",
    "people:roles": "account.view",
    "people:users": "members.view",
    "audit:activity": "activity.view",
    "people:transfer": "ownership.transfer",
    "people:edit_level": "members.set_level",
    "people:suspend": "members.suspend",
    "people:revoke": "members.revoke",
    "people:reactivate": "members.suspend",
}


def url_for(name, account, target):
    kwargs = {"slug": account.slug}
    if name.split(":")[-1] in {"edit_level", "suspend", "revoke", "reactivate"}:
        kwargs["member_id"] = target.pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_status_follows_the_registry(client_for, account, members, role, name):
    target = MembershipFactory(account=account, role="viewer")
    expected = 200 if role_has_permission(role, PAGES[name], account=account) else 403
    response = client_for(members[role].user).get(url_for(name, account, target))
    assert response.status_code == expected, f"{role} GET {name}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_member_of_a_gets_404_on_b_even_with_a_guessed_id(client_for, members, other_account, name):
    owner_of_a = members["owner"].user
    target_in_b = other_account.memberships.exclude(role="owner").first()
    url = url_for(name, other_account, target_in_b)
    client = client_for(owner_of_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": "viewer"}).status_code == 404


@pytest.mark.parametrize("name", ["edit_level", "suspend", "revoke", "reactivate"])
def test_member_id_of_another_account_under_my_slug_is_404(
    client_for, members, other_account, name
):
    target_in_b = other_account.memberships.exclude(role="owner").first()
    url = reverse(
        f"people:{name}",
        kwargs={"slug": members["owner"].account.slug, "member_id": target_in_b.pk},
    )
    client = client_for(members["owner"].user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": "viewer"}).status_code == 404
    target_in_b.refresh_from_db()
    assert target_in_b.role == "admin" and target_in_b.status == "active"


def test_forbidden_page_names_the_levels_that_may_open_it(client_for, account, members):
    response = client_for(members["viewer"].user).get(reverse("people:users", args=[account.slug]))
    assert response.status_code == 403
    body = response.content.decode()
    assert "<strong>Owner</strong> or <strong>Admin</strong>" in body
    assert "Your level in" in body and "Viewer" in body


def test_sidebar_shows_admin_links_only_to_roles_that_may_open_them(client_for, account, members):
    users_url = reverse("people:users", args=[account.slug])
    for role in ROLES:
        body = (
            client_for(members[role].user)
            .get(reverse("overview", args=[account.slug]))
            .content.decode()
        )
        assert (f'href="{users_url}"' in body) == role_has_permission(role, "members.view"), role


def test_confirm_pages_name_the_member_in_the_title(client_for, account, members):
    """Issue 17 item 16: "Revoke access: Alice Ext", so a tab or a screen reader says who."""
    import re

    from django.urls import reverse

    from tests.factories import InvitationFactory, UserFactory

    alice = MembershipFactory(
        account=account, role="viewer", user=UserFactory(first_name="Alice", last_name="Ext")
    )
    client = client_for(members["owner"].user)
    for name, label in [
        ("people:revoke", "Revoke access"),
        ("people:suspend", "Suspend"),
        ("people:edit_level", "Edit level"),
    ]:
        page = client.get(reverse(name, kwargs={"slug": account.slug, "member_id": alice.pk}))
        title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
        assert title.strip().startswith(f"{label}: Alice Ext"), title
    invitation = InvitationFactory(account=account, email="bo@example.com")
    page = client.get(
        reverse("invitations:cancel", kwargs={"slug": account.slug, "invitation_id": invitation.pk})
    )
    title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
    assert title.strip().startswith("Cancel invitation: bo@example.com"), title

"""Every form's errors heard (issue 17, items 13 and 14), read as a browser gets the page: the
error summary at the top of a submitted form, the "Error: " title, the one status region."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from joining import services
from joining.models import JoinLink
from tests.factories import TEST_PASSWORD, InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def summary(response) -> str:
    """The error summary's markup, or "" when the page has none."""
    pattern = r'<div class="error-summary[^>]*>.*?</ul>\s*</div>\s*</div>'
    found = re.search(pattern, response.content.decode(), re.S)
    return found.group(0) if found else ""


def test_invite_with_a_bad_email_has_a_summary_linking_each_field_and_an_error_title(
    client_for, account, members
):
    url = reverse("invitations:invite", kwargs={"slug": account.slug})
    response = client_for(members["admin"].user).post(
        url, {"emails": "not-an-email", "accounts": [account.pk], "level": "nonsense"}
    )

    assert response.status_code in {200, 400}
    assert title(response).startswith("Error: ")
    box = summary(response)
    assert 'tabindex="-1"' in box and "autofocus" in box and 'role="alert"' in box
    assert "There is a problem" in box
    assert 'href="#id_emails"' in box
    assert 'href="#id_level"' in box
    assert box.index("#id_emails") < box.index("#id_level")  # the order of the form
    assert response.content.decode().count('class="error-summary') == 1


def test_a_page_without_a_submitted_form_has_no_summary_and_a_plain_title(
    client_for, account, members
):
    url = reverse("invitations:invite", kwargs={"slug": account.slug})
    response = client_for(members["admin"].user).get(url)

    assert not title(response).startswith("Error")
    assertNotContains(response, "error-summary")


def test_a_valid_submit_is_not_an_error_page(client_for, account, members):
    response = client_for(members["owner"].user).post(
        reverse("profile"),
        {"first_name": "Ann", "last_name": "Lee", "time_zone": "Europe/London"},
        follow=True,
    )
    assert not title(response).startswith("Error")
    assertNotContains(response, "error-summary")


def test_wrong_password_login_error_is_in_the_summary_not_a_bare_alert():
    member = MembershipFactory(role="owner")
    response = Client().post(
        reverse("account_login"), {"login": member.user.email, "password": "wrong-password"}
    )

    assert title(response).startswith("Error: ")
    box = summary(response)
    assert "not correct" in box
    assert 'href="#id_login"' in box  # where the person starts correcting it
    content = response.content.decode()
    assert content.count('role="alert"') == 1  # the summary's, nothing else


def test_a_radio_group_error_is_linked_to_its_fieldset_and_from_the_summary(
    client_for, account, members
):
    url = reverse("people:transfer", kwargs={"slug": account.slug})
    response = client_for(members["owner"].user).post(url, {"password": TEST_PASSWORD})

    assert title(response).startswith("Error: ")
    content = response.content.decode()
    fieldset = re.search(r"<fieldset[^>]*>", content).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', fieldset).group(1).split()
    assert "id_new_owner_error" in described
    assert 'id="id_new_owner_error"' in content
    assert 'href="#id_new_owner_0"' in summary(response)  # the first radio of the group
    assert 'id="id_new_owner_0"' in content


def test_messages_are_one_polite_status_region_with_no_alert_inside(client_for, account, members):
    response = client_for(members["owner"].user).post(
        reverse("profile"),
        {"first_name": "Ann", "last_name": "Lee", "time_zone": "Europe/London"},
        follow=True,
    )
    content = response.content.decode()
    region = re.search(r'<div class="messages"[^>]*>(.*?)</div>\s*</div>', content, re.S)
    assert region, "the page shows its message in the messages region"
    opening = re.search(r'<div class="messages"[^>]*>', content).group(0)
    assert 'role="status"' in opening and 'aria-live="polite"' in opening
    assert 'tabindex="-1"' in opening  # roster.js moves focus to it
    assert len(re.findall(r'<[^>]*(?:role="status"|aria-live=)[^>]*>', content)) == 1
    assert 'role="alert"' not in content


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("account_settings:close", "owner"),
        ("people:leave", "viewer"),
        ("billing:subscription", "owner"),
        ("people:transfer", "owner"),
    ],
)
def test_static_warnings_are_not_alerts(client_for, account, members, name, role):
    url = reverse(name, kwargs={"slug": account.slug})
    response = client_for(members[role].user).get(url)
    assert response.status_code == 200
    assertNotContains(response, 'role="alert"')
    assertNotContains(response, 'role="status"')


def test_a_hand_drawn_filter_form_gets_the_summary_too(client_for, account, members):
    url = reverse("audit:activity", kwargs={"slug": account.slug})
    response = client_for(members["owner"].user).get(url, {"date_from": "not-a-date"})

    assert title(response).startswith("Error: ")
    assert 'href="#id_date_from"' in summary(response)


def assert_summary_before_hint(response) -> None:
    content = response.content.decode()
    assert title(response).startswith("Error: ")
    assert content.count('class="error-summary') == 1
    assert content.count('data-testid="required-hint"') == 1
    assert content.index('class="error-summary') < content.index('data-testid="required-hint"')


def test_the_summary_comes_before_the_required_fields_hint(client_for, account, members):
    # allauth's sign-up (its fields element), the profile, the invitation's sign-up form.
    assert_summary_before_hint(Client().post(reverse("account_signup"), {"email": "x"}))
    assert_summary_before_hint(
        client_for(members["viewer"].user).post(reverse("profile"), {"first_name": ""})
    )
    invitation = InvitationFactory(account=account)
    client = Client()
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    assert_summary_before_hint(
        client.post(reverse("invitations:accept"), {"action": "signup", "first_name": ""})
    )


def assert_no_live_region_outside_messages(response, marker: str) -> None:
    """`marker` is on the page and neither it nor anything else outside the messages region and
    the error summary (the news of an action) is an alert or a status: it was there when the
    page loaded."""
    content = response.content.decode()
    assert marker in content
    outside = re.sub(r'<div class="messages".*?</div>\s*</div>', "", content, flags=re.S)
    outside = outside.replace(summary(response), "")
    assert 'role="alert"' not in outside
    assert 'role="status"' not in outside


def test_more_static_warnings_are_not_live_regions(client_for, account, members):
    owner = client_for(members["owner"].user)
    slug = account.slug

    # The new key's secret: "Copy the key now".
    response = owner.post(
        reverse("apikeys:create", kwargs={"slug": slug}), {"name": "CI"}, follow=True
    )
    assert_no_live_region_outside_messages(response, "Copy the key now")

    # A plan change that the account does not fit into: the blockers box.
    response = owner.post(reverse("billing:subscription", kwargs={"slug": slug}), {"plan": "free"})
    assert_no_live_region_outside_messages(response, 'data-testid="plan-blockers"')

    # A pending ownership transfer: the Owner's note on the transfer page, the banner on the
    # Overview for both people.
    owner.post(
        reverse("people:transfer", kwargs={"slug": slug}),
        {"new_owner": members["admin"].pk, "password": TEST_PASSWORD},
    )
    transfer_page = owner.get(reverse("people:transfer", kwargs={"slug": slug}))
    assert_no_live_region_outside_messages(transfer_page, 'data-testid="pending-transfer"')
    overview = reverse("overview", kwargs={"slug": slug})
    for person in (owner, client_for(members["admin"].user)):
        assert_no_live_region_outside_messages(
            person.get(overview), 'data-testid="ownership-transfer-banner"'
        )


def test_the_invitation_for_someone_else_is_not_a_live_region(client_for, account):
    invitation = InvitationFactory(account=account)
    client = client_for(MembershipFactory().user)
    client.get(reverse("invitations:token", kwargs={"token": invitation.raw_token}))
    response = client.get(reverse("invitations:accept"))
    assert_no_live_region_outside_messages(response, "This invitation is for")


def test_a_join_link_refusal_is_not_a_live_region(client_for, account, members):
    services.set_join_requests(account=account, enabled=True, actor=members["owner"].user)
    link = JoinLink.objects.get(account=account)
    client = client_for(members["viewer"].user)  # already a member
    response = client.get(reverse("joining:token", kwargs={"token": link.token}), follow=True)
    assert_no_live_region_outside_messages(response, "already a member")


def test_an_action_refused_with_an_error_message_titles_the_page_error(
    client_for, account, members
):
    client = client_for(members["owner"].user)
    url = reverse("join_requests:settings", kwargs={"slug": account.slug})
    refused = client.post(url, {"enabled": "sideways"}, follow=True)
    assert "Nothing changed: choose to turn requests on or off." in refused.content.decode()
    assert title(refused).startswith("Error: ")
    assert refused.content.decode().count("Nothing changed: choose") == 1  # still shown, once
    done = client.post(url, {"enabled": "on"}, follow=True)
    assert "People can now ask to join" in done.content.decode()
    assert not title(done).startswith("Error")

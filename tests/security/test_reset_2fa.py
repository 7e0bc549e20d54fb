import pytest
from allauth.mfa.models import Authenticator
from django.contrib.sessions.models import Session
from django.urls import reverse

from audit.models import ActivityEvent
from tests.apikeys.test_views import recently_authenticated

pytestmark = pytest.mark.django_db


def reset_url(account, membership):
    return reverse("security:reset_2fa", kwargs={"slug": account.slug, "member_id": membership.pk})


def test_admin_resets_a_members_2fa_and_their_sessions_end(
    client_for, members, account, enable_totp
):
    viewer = members["viewer"]
    enable_totp(viewer.user)
    viewer_client = client_for(viewer.user)
    assert viewer_client.get(reverse("overview", kwargs={"slug": account.slug})).status_code == 200
    admin = recently_authenticated(client_for(members["admin"].user))

    page = admin.get(reset_url(account, viewer))
    assert page.status_code == 200
    assert b"Reset two-factor authentication" in page.content
    response = admin.post(reset_url(account, viewer))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=viewer.user).exists()
    event = ActivityEvent.objects.get(action="member.2fa_reset")
    assert event.target_user == viewer.user
    assert event.actor == members["admin"].user
    # The member's sessions are over: their next click goes to the login page.
    follow = viewer_client.get(reverse("overview", kwargs={"slug": account.slug}))
    assert follow.status_code == 302
    assert reverse("account_login") in follow["Location"]
    assert Session.objects.exists()  # the admin's own session is untouched


def test_member_with_reset_2fa_is_sent_to_setup_where_required(
    client_for, members, account, enable_totp
):
    viewer = members["viewer"]
    enable_totp(viewer.user)
    enable_totp(members["owner"].user)  # where 2FA is required, the Owner needs it too
    account.require_2fa = True
    account.save()
    recently_authenticated(client_for(members["owner"].user)).post(reset_url(account, viewer))
    response = client_for(viewer.user).get(reverse("overview", kwargs={"slug": account.slug}))
    assert response.status_code == 302
    assert response["Location"] == reverse("two_factor_required", kwargs={"slug": account.slug})


def test_reset_asks_for_reauthentication(client_for, members, account, enable_totp):
    enable_totp(members["viewer"].user)
    stale = client_for(members["admin"].user, stale=True)
    response = stale.post(reset_url(account, members["viewer"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert Authenticator.objects.filter(user=members["viewer"].user).exists()


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_levels_below_admin_cannot_reset(client_for, members, account, enable_totp, role):
    enable_totp(members["admin"].user)
    client = recently_authenticated(client_for(members[role].user))
    assert client.post(reset_url(account, members["admin"])).status_code == 403
    assert Authenticator.objects.filter(user=members["admin"].user).exists()
    assert not ActivityEvent.objects.filter(action="member.2fa_reset").exists()


def test_admin_cannot_reset_the_owners_2fa(client_for, members, account, enable_totp):
    enable_totp(members["owner"].user)
    client = recently_authenticated(client_for(members["admin"].user))
    response = client.post(reset_url(account, members["owner"]), follow=True)
    assert b"cannot reset the two-factor authentication of the Owner" in response.content
    assert Authenticator.objects.filter(user=members["owner"].user).exists()


def test_nobody_resets_their_own_2fa_here(client_for, members, account, enable_totp):
    enable_totp(members["owner"].user)
    client = recently_authenticated(client_for(members["owner"].user))
    client.post(reset_url(account, members["owner"]))
    assert Authenticator.objects.filter(user=members["owner"].user).exists()


def test_another_accounts_member_is_404(client_for, members, other_account, enable_totp):
    foreign = other_account.memberships.get(role="admin")
    enable_totp(foreign.user)
    client = recently_authenticated(client_for(members["owner"].user))
    assert client.post(reset_url(members["owner"].account, foreign)).status_code == 404
    assert Authenticator.objects.filter(user=foreign.user).exists()


def test_after_a_reset_the_member_sets_2fa_up_again_even_where_not_required(
    client_for, members, account, enable_totp, mailoutbox, django_capture_on_commit_callbacks
):
    viewer = members["viewer"]
    enable_totp(viewer.user)
    assert not account.require_2fa
    admin = recently_authenticated(client_for(members["admin"].user))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reset_url(account, viewer))
    assert [viewer.user.email] in [m.to for m in mailoutbox]
    overview = reverse("overview", kwargs={"slug": account.slug})
    client = client_for(viewer.user)  # signs in again with the password
    response = client.get(overview)
    assert response["Location"] == reverse("two_factor_required", kwargs={"slug": account.slug})
    assert b"reset your two-factor" in client.get(response["Location"]).content
    enable_totp(viewer.user)
    assert client.get(overview).status_code == 200
    viewer.user.refresh_from_db()
    assert viewer.user.must_set_up_2fa is False


def test_reset_tells_the_admin_what_happened(client_for, members, account, enable_totp):
    enable_totp(members["viewer"].user)
    admin = recently_authenticated(client_for(members["admin"].user))
    response = admin.post(reset_url(account, members["viewer"]), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown and "is reset" in shown[0]
    again = admin.post(reset_url(account, members["viewer"]), follow=True)
    again_shown = [str(m) for m in again.context["messages"]]
    assert again_shown and "had no two-factor set up" in again_shown[0]

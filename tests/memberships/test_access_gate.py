"""The one access gate (memberships.access): each refusal, and the two holes it closes.

- An Admin locked out of account B (2FA required, or their 2FA reset) could invite people to
  B from the invite form of account A, where they are also Admin.
- After an Owner reset a member's 2FA, that member's API keys kept full access.
"""

import pytest
from django.urls import reverse

from invitations import services as invitation_services
from invitations.exceptions import NotAllowed as InviteNotAllowed
from invitations.models import Invitation
from memberships import access
from memberships.access import Refusal
from memberships.exceptions import AccessDenied, NotAllowed
from security.services import reset_two_factor
from tests.api.conftest import ApiClient
from tests.factories import AccountFactory, ApiKeyFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts(db):
    """An Admin of A (no 2FA demanded) who is also Admin of B, which requires 2FA."""
    admin = UserFactory()
    a = AccountFactory(plan="premium", name="Alpha")
    b = AccountFactory(plan="premium", name="Bravo", require_2fa=True)
    for account in (a, b):
        MembershipFactory(account=account, role="owner")
        MembershipFactory(account=account, user=admin, role="admin")
    return admin, a, b


def _lock_out(how, admin, b):
    """Put `admin` behind one 2FA refusal in B."""
    if how == "reset":
        b.require_2fa = False
        b.save(update_fields=["require_2fa"])
        admin.must_set_up_2fa = True
        admin.save(update_fields=["must_set_up_2fa"])


# --- Each refusal, asked directly ------------------------------------------------------------


def test_gate_grants_an_active_member_and_refuses_everyone_else(members, account, other_account):
    owner = members["owner"]
    assert access.decide(owner.user, account).membership == owner
    assert access.decide(owner.user, other_account).refusal == Refusal.NOT_A_MEMBER
    assert access.decide(UserFactory(), account).refusal == Refusal.NOT_A_MEMBER


def test_gate_refuses_suspended_closed_and_unmet_2fa(members, account, enable_totp):
    viewer = members["viewer"]
    viewer.status = "suspended"
    viewer.save()
    assert access.decide(viewer.user, account).refusal == Refusal.SUSPENDED

    admin = members["admin"].user
    account.require_2fa = True
    account.save()
    assert access.decide(admin, account).refusal == Refusal.TWO_FACTOR_REQUIRED
    enable_totp(admin)
    assert access.decide(admin, account).granted

    author = members["author"].user
    account.require_2fa = False
    account.save()
    author.must_set_up_2fa = True
    author.save()
    assert access.decide(author, account).refusal == Refusal.TWO_FACTOR_RESET
    assert access.decide(author, account, tolerate=access.TWO_FACTOR).granted

    from django.utils import timezone

    account.closed_at = timezone.now()
    account.save()
    assert access.decide(admin, account).refusal == Refusal.ACCOUNT_CLOSED


def test_require_reads_the_2fa_reset_from_the_database_not_the_stale_user(members, account):
    stale = members["admin"].user
    type(stale).objects.filter(pk=stale.pk).update(must_set_up_2fa=True)
    assert stale.must_set_up_2fa is False  # the caller's copy predates the reset
    with pytest.raises(AccessDenied) as refused:
        access.require(stale, account, permission="members.invite")
    assert refused.value.refusal == Refusal.TWO_FACTOR_RESET


def test_require_refuses_a_level_without_the_permission(members, account):
    with pytest.raises(NotAllowed):
        access.require(members["viewer"].user, account, permission="members.invite")


# --- Hole 1: the cross-account invite -------------------------------------------------------


@pytest.mark.parametrize("how", ["required", "reset"])
def test_invite_form_of_another_account_never_offers_or_invites_to_a_locked_account(
    client_for, two_accounts, how, mailoutbox
):
    admin, a, b = two_accounts
    _lock_out(how, admin, b)
    client = client_for(admin)
    url = reverse("invitations:invite", kwargs={"slug": a.slug})
    if how == "required":
        page = client.get(url)
        assert page.status_code == 200
        offered = {account.pk for account in page.context["form"].fields["accounts"].queryset}
        assert offered == {a.pk}
    response = client.post(
        url, {"emails": "intruder@example.com", "accounts": [a.pk, b.pk], "level": "admin"}
    )
    assert not Invitation.objects.filter(account=b).exists()
    if how == "required":
        assert response.status_code == 200
        assert "accounts" in response.context["form"].errors
        assert not Invitation.objects.exists()  # all or nothing
    else:
        # Reset: the person is locked out of every account, A's invite page included.
        assert response.status_code == 302
        assert "2fa" in response["Location"] or "two-factor" in response["Location"]
        assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("how", ["required", "reset"])
def test_invite_service_refuses_each_locked_account_of_a_batch(two_accounts, how):
    admin, a, b = two_accounts
    _lock_out(how, admin, b)
    with pytest.raises(InviteNotAllowed):
        invitation_services.invite_users(
            accounts=[a, b], emails=["intruder@example.com"], level="admin", actor=admin
        )
    assert not Invitation.objects.exists()


# --- Hole 2: API keys after a 2FA reset -----------------------------------------------------


def test_api_keys_stop_after_a_2fa_reset_until_2fa_is_set_up_again(
    members, account, enable_totp, mailoutbox, django_capture_on_commit_callbacks
):
    admin = members["admin"].user
    enable_totp(admin)
    key = ApiKeyFactory(account=account, created_by=admin)
    api = ApiClient(key.raw_key)
    assert api("GET", "/members").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        reset_two_factor(
            account=account, membership_id=members["admin"].pk, actor=members["owner"].user
        )

    for method, path, body in [
        ("GET", "/members", None),
        ("POST", "/invitations", {"emails": ["in@example.com"], "level": "admin"}),
    ]:
        response = api(method, path, body)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "two_factor_reset"
    assert not Invitation.objects.exists()
    notice = [m for m in mailoutbox if m.to == [admin.email]][-1]
    assert "API keys you created stop working" in notice.body

    enable_totp(admin)
    assert api("GET", "/members").status_code == 200

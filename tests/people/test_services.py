import pytest
from django.urls import reverse

from audit.models import ActivityEvent
from memberships.access import Refusal
from memberships.exceptions import (
    AccessDenied,
    CannotChangeOwner,
    CannotChangeSelf,
    LevelNotGrantable,
    LevelNotInPlan,
    NotAllowed,
    NotAMember,
    OwnerCannotLeave,
)
from memberships.models import Membership
from people import services
from tests.factories import AccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def run(fn, capture, **kwargs):
    with capture(execute=True):
        return fn(**kwargs)


# --- change level -------------------------------------------------------------------------


def test_admin_sets_a_level_from_admin_down_and_it_is_logged_and_emailed(
    account, members, django_capture_on_commit_callbacks, mailoutbox
):
    admin, viewer = members["admin"], members["viewer"]
    run(
        services.change_level,
        django_capture_on_commit_callbacks,
        account=account,
        membership_id=viewer.pk,
        level="admin",
        actor=admin.user,
    )
    viewer.refresh_from_db()
    assert viewer.role == "admin"
    event = ActivityEvent.objects.get(action="member.level_changed")
    assert (event.actor, event.target_user, event.old_value, event.new_value) == (
        admin.user,
        viewer.user,
        "Viewer",
        "Admin",
    )
    notices = [m for m in mailoutbox if m.to == [viewer.user.email]]
    assert len(notices) == 1
    assert "Admin" in notices[0].subject
    assert notices[0].alternatives  # HTML part


def test_admin_cannot_grant_owner_level(account, members):
    with pytest.raises(LevelNotGrantable):
        services.change_level(
            account=account,
            membership_id=members["viewer"].pk,
            level="owner",
            actor=members["admin"].user,
        )
    assert Membership.objects.get(pk=members["viewer"].pk).role == "viewer"


def test_nobody_edits_the_owners_level(account, members):
    with pytest.raises(CannotChangeOwner):
        services.change_level(
            account=account,
            membership_id=members["owner"].pk,
            level="admin",
            actor=members["admin"].user,
        )


def test_nobody_edits_their_own_level(account, members):
    with pytest.raises(CannotChangeSelf):
        services.change_level(
            account=account,
            membership_id=members["admin"].pk,
            level="viewer",
            actor=members["admin"].user,
        )


def test_manager_cannot_set_levels(account, members):
    with pytest.raises(NotAllowed):
        services.change_level(
            account=account,
            membership_id=members["viewer"].pk,
            level="author",
            actor=members["manager"].user,
        )


def test_a_level_the_plan_does_not_offer_cannot_be_chosen():
    account = AccountFactory(plan="standard")  # no Manager on Standard
    owner = MembershipFactory(account=account, role="owner")
    viewer = MembershipFactory(account=account, role="viewer")
    with pytest.raises(LevelNotInPlan):
        services.change_level(
            account=account, membership_id=viewer.pk, level="manager", actor=owner.user
        )
    levels = services.grantable_levels(account=account, actor_membership=owner)
    assert [r.value for r in levels] == ["admin", "author", "viewer"]


def test_unchanged_level_writes_nothing(account, members):
    services.change_level(
        account=account,
        membership_id=members["viewer"].pk,
        level="viewer",
        actor=members["owner"].user,
    )
    assert not ActivityEvent.objects.exists()


# --- suspend / reactivate -------------------------------------------------------------------


def test_suspended_member_keeps_level_but_is_refused_until_reactivated(
    client_for, account, members
):
    viewer = members["viewer"]
    client = client_for(viewer.user)
    url = reverse("overview", args=[account.slug])
    assert client.get(url).status_code == 200
    services.suspend_member(account=account, membership_id=viewer.pk, actor=members["admin"].user)
    viewer.refresh_from_db()
    assert (viewer.role, viewer.status) == ("viewer", "suspended")
    assert client.get(url).status_code == 403  # the suspended page, nothing of the account
    services.reactivate_member(
        account=account, membership_id=viewer.pk, actor=members["admin"].user
    )
    assert client.get(url).status_code == 200
    actions = list(ActivityEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["member.suspended", "member.reactivated"]


def test_owner_cannot_be_suspended(account, members):
    with pytest.raises(CannotChangeOwner):
        services.suspend_member(
            account=account, membership_id=members["owner"].pk, actor=members["admin"].user
        )


# --- revoke ---------------------------------------------------------------------------------


def test_revoke_deletes_membership_and_next_request_is_404(
    client_for, account, members, mailoutbox, django_capture_on_commit_callbacks
):
    author = members["author"]
    client = client_for(author.user)
    assert client.get(reverse("overview", args=[account.slug])).status_code == 200
    run(
        services.revoke_member,
        django_capture_on_commit_callbacks,
        account=account,
        membership_id=author.pk,
        actor=members["admin"].user,
    )
    assert not Membership.objects.filter(pk=author.pk).exists()
    assert client.get(reverse("overview", args=[account.slug])).status_code == 404
    assert [author.user.email] in [m.to for m in mailoutbox]
    assert ActivityEvent.objects.filter(action="member.revoked", target_user=author.user).exists()


def test_admin_cannot_revoke_the_owner(account, members):
    with pytest.raises(CannotChangeOwner):
        services.revoke_member(
            account=account, membership_id=members["owner"].pk, actor=members["admin"].user
        )
    assert Membership.objects.filter(pk=members["owner"].pk).exists()


def test_admin_revokes_another_admin_but_not_themself(account, members):
    second_admin = MembershipFactory(account=account, role="admin")
    services.revoke_member(
        account=account, membership_id=second_admin.pk, actor=members["admin"].user
    )
    assert not Membership.objects.filter(pk=second_admin.pk).exists()
    with pytest.raises(CannotChangeSelf):
        services.revoke_member(
            account=account, membership_id=members["admin"].pk, actor=members["admin"].user
        )


def test_revoked_actor_can_do_nothing_more(account, members):
    services.revoke_member(
        account=account, membership_id=members["admin"].pk, actor=members["owner"].user
    )
    with pytest.raises(AccessDenied) as refused:
        services.revoke_member(
            account=account, membership_id=members["viewer"].pk, actor=members["admin"].user
        )
    assert refused.value.refusal == Refusal.NOT_A_MEMBER
    assert Membership.objects.filter(pk=members["viewer"].pk).exists()


def test_bulk_revoke_is_all_or_nothing(account, members):
    ids = [members["viewer"].pk, members["author"].pk, members["owner"].pk]
    with pytest.raises(CannotChangeOwner):
        services.bulk_revoke(account=account, membership_ids=ids, actor=members["admin"].user)
    assert Membership.objects.filter(pk__in=ids).count() == 3
    assert (
        services.bulk_revoke(account=account, membership_ids=ids[:2], actor=members["admin"].user)
        == 2
    )
    assert not Membership.objects.filter(pk__in=ids[:2]).exists()
    assert ActivityEvent.objects.filter(action="member.revoked").count() == 2


def test_bulk_revoke_refuses_ids_of_another_account(account, members, other_account):
    foreign = other_account.memberships.exclude(role="owner").first()
    with pytest.raises(NotAMember):
        services.bulk_revoke(
            account=account,
            membership_ids=[members["viewer"].pk, foreign.pk],
            actor=members["owner"].user,
        )
    assert Membership.objects.filter(pk__in=[members["viewer"].pk, foreign.pk]).count() == 2


# --- leave ----------------------------------------------------------------------------------


def test_member_leaves_and_keeps_login_while_other_accounts_remain(account, members):
    viewer = members["viewer"]
    MembershipFactory(user=viewer.user, role="viewer")
    assert services.leave_account(account=account, actor=viewer.user) is False
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert ActivityEvent.objects.filter(action="member.left").exists()
    viewer.user.refresh_from_db()


def test_leaving_the_last_account_deletes_the_login(account, members):
    user = members["viewer"].user
    assert services.leave_account(account=account, actor=user) is True
    assert not type(user).objects.filter(pk=user.pk).exists()


def test_owner_cannot_leave(account, members):
    with pytest.raises(OwnerCannotLeave):
        services.leave_account(account=account, actor=members["owner"].user)


# --- transfer: an offer the Admin accepts, tested in tests/transfers/test_services.py -------


def test_activity_records_the_ip_of_the_request(client_for, account, members):
    client = client_for(members["owner"].user)
    client.post(
        reverse("people:suspend", args=[account.slug, members["viewer"].pk]),
        REMOTE_ADDR="203.0.113.9",
    )
    assert ActivityEvent.objects.get(action="member.suspended").ip_address == "203.0.113.9"


def test_activity_log_cannot_be_edited_or_deleted(account, members):
    services.suspend_member(
        account=account, membership_id=members["viewer"].pk, actor=members["owner"].user
    )
    event = ActivityEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        ActivityEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        ActivityEvent.objects.update(new_value="x")
    assert ActivityEvent.objects.count() == 1

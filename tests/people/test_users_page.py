import pytest
from django.urls import reverse

from audit.models import ActivityEvent
from memberships.models import Membership
from tests.factories import ActivityEventFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def users_url(account, **params):
    from urllib.parse import urlencode

    url = reverse("people:users", args=[account.slug])
    return f"{url}?{urlencode(params)}" if params else url


# Session, user, the person's memberships (account context and switcher), every count,
# the page's members, the page's invitations.
USERS_PAGE_QUERIES = 6


@pytest.mark.parametrize("size", [5, 200])
def test_users_page_query_count_does_not_grow(
    client_for, account, members, size, django_assert_max_num_queries
):
    from tests.factories import InvitationFactory

    MembershipFactory.create_batch(size, account=account, role="viewer")
    InvitationFactory.create_batch(size // 10, account=account)
    client = client_for(members["admin"].user)
    client.get(users_url(account))  # warm the session
    for params in ({}, {"page": 3 if size > 25 else 1}, {"q": "example", "level": "viewer"}):
        with django_assert_max_num_queries(USERS_PAGE_QUERIES):
            response = client.get(users_url(account, **params))
        assert response.status_code == 200


def test_users_page_lists_members_with_level_status_and_dates(client_for, account, members):
    members["author"].status = "suspended"
    members["author"].save()
    body = client_for(members["owner"].user).get(users_url(account)).content.decode()
    for m in members.values():
        assert m.user.email in body
    assert "Suspended" in body
    assert "seats used" in body


def test_search_by_name_or_email_and_filter_by_level_and_status(client_for, account, members):
    target = MembershipFactory(
        account=account, role="manager", user=UserFactory(first_name="Zed", email="zed@corp.test")
    )
    client = client_for(members["admin"].user)
    body = client.get(users_url(account, q="ZED")).content.decode()
    assert target.user.email in body and members["viewer"].user.email not in body
    body = client.get(users_url(account, q="corp.test")).content.decode()
    assert target.user.email in body
    body = client.get(users_url(account, level="viewer")).content.decode()
    assert members["viewer"].user.email in body and target.user.email not in body
    members["viewer"].status = "suspended"
    members["viewer"].save()
    body = client.get(users_url(account, status="suspended")).content.decode()
    assert members["viewer"].user.email in body and members["author"].user.email not in body


def test_users_page_is_paginated(client_for, account, members):
    MembershipFactory.create_batch(30, account=account, role="viewer")
    client = client_for(members["admin"].user)
    first = client.get(users_url(account)).context["page_obj"]
    second = client.get(users_url(account, page=2)).context["page_obj"]
    assert first.paginator.count == 35
    assert len(first.object_list) == 25 and len(second.object_list) == 10
    assert not {m.pk for m in first.object_list} & {m.pk for m in second.object_list}
    body = client.get(users_url(account, page=2, level="viewer", inv_page=1)).content.decode()
    assert 'href="?level=viewer&amp;inv_page=1&amp;page=1">Previous</a>' in body  # filters kept
    assert "Page 2 of 2" in body and ">Next</a>" not in body


# --- forged POSTs are refused and change nothing --------------------------------------------


def test_admin_posting_role_owner_is_refused(client_for, account, members):
    url = reverse("people:edit_level", args=[account.slug, members["viewer"].pk])
    response = client_for(members["admin"].user).post(url, {"level": "owner"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Membership.objects.get(pk=members["viewer"].pk).role == "viewer"
    assert account.memberships.filter(role="owner").count() == 1


def test_manager_posting_a_level_edit_gets_403(client_for, account, members):
    url = reverse("people:edit_level", args=[account.slug, members["viewer"].pk])
    response = client_for(members["manager"].user).post(url, {"level": "admin"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=members["viewer"].pk).role == "viewer"


def test_viewer_posting_a_revoke_gets_403(client_for, account, members):
    url = reverse("people:revoke", args=[account.slug, members["author"].pk])
    assert client_for(members["viewer"].user).post(url).status_code == 403
    assert Membership.objects.filter(pk=members["author"].pk).exists()


def test_admin_cannot_post_an_edit_of_the_owner_level(client_for, account, members):
    url = reverse("people:edit_level", args=[account.slug, members["owner"].pk])
    response = client_for(members["admin"].user).post(url, {"level": "viewer"})
    assert response.status_code == 200
    assert "Nobody can change the level of the Owner" in response.content.decode()
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"


def test_edit_level_through_the_page(client_for, account, members):
    url = reverse("people:edit_level", args=[account.slug, members["viewer"].pk])
    client = client_for(members["admin"].user)
    page = client.get(url).content.decode()
    assert 'value="owner"' not in page and 'value="admin"' in page
    response = client.post(url, {"level": "manager"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=members["viewer"].pk).role == "manager"


def test_revoke_asks_for_the_password_when_the_login_is_stale(client_for, account, members):
    url = reverse("people:revoke", args=[account.slug, members["author"].pk])
    response = client_for(members["owner"].user, stale=True).post(url)
    assert response.status_code == 302
    assert reverse("account_reauthenticate") in response["Location"]
    assert Membership.objects.filter(pk=members["author"].pk).exists()
    fresh = client_for(members["owner"].user).post(url)
    assert fresh.status_code == 302
    assert not Membership.objects.filter(pk=members["author"].pk).exists()


def test_revoke_confirmation_names_the_person(client_for, account, members):
    url = reverse("people:revoke", args=[account.slug, members["author"].pk])
    body = client_for(members["admin"].user).get(url).content.decode()
    assert members["author"].user.email in body and "Revoke access" in body


def test_bulk_revoke_through_the_page_is_confirmed_then_all_or_nothing(
    client_for, account, members
):
    client = client_for(members["admin"].user)
    url = reverse("people:bulk_revoke", args=[account.slug])
    ids = [members["viewer"].pk, members["author"].pk]
    confirm = client.get(url, {"member": ids})
    assert confirm.status_code == 200
    assert members["viewer"].user.email in confirm.content.decode()
    assert Membership.objects.filter(pk__in=ids).count() == 2  # GET changes nothing
    forged = client.post(url, {"member": [*ids, members["owner"].pk]})
    assert forged.status_code == 302
    assert Membership.objects.filter(pk__in=ids).count() == 2
    client.post(url, {"member": ids})
    assert not Membership.objects.filter(pk__in=ids).exists()


def test_bulk_revoke_with_another_accounts_id_changes_nothing(
    client_for, account, members, other_account
):
    foreign = other_account.memberships.exclude(role="owner").first()
    url = reverse("people:bulk_revoke", args=[account.slug])
    client_for(members["owner"].user).post(url, {"member": [members["viewer"].pk, foreign.pk]})
    assert Membership.objects.filter(pk__in=[members["viewer"].pk, foreign.pk]).count() == 2


# --- leave and transfer through the pages ---------------------------------------------------


def test_owner_sees_why_they_cannot_leave_and_a_transfer_link(client_for, account, members):
    url = reverse("people:leave", args=[account.slug])
    client = client_for(members["owner"].user)
    body = client.get(url).content.decode()
    assert "You cannot leave" in body
    assert reverse("people:transfer", args=[account.slug]) in body
    client.post(url)
    assert Membership.objects.filter(pk=members["owner"].pk).exists()


def test_leaving_the_last_account_warns_then_logs_out_and_deletes_the_login(
    client_for, account, members
):
    user = members["viewer"].user
    client = client_for(user)
    url = reverse("people:leave", args=[account.slug])
    assert "This is your last account" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("account_login")
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert "_auth_user_id" not in client.session


def test_transfer_page_offers_admins_only_and_checks_the_password(client_for, account, members):
    client = client_for(members["owner"].user)
    url = reverse("people:transfer", args=[account.slug])
    body = client.get(url).content.decode()
    assert members["admin"].user.email in body and members["manager"].user.email not in body
    wrong = client.post(url, {"new_owner": members["admin"].pk, "password": "nope"})
    assert "That is not your current password." in wrong.content.decode()
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"
    forged = client.post(url, {"new_owner": members["manager"].pk, "password": "Correct-Horse-42!"})
    assert forged.status_code == 200
    assert Membership.objects.get(pk=members["manager"].pk).role == "manager"
    ok = client.post(url, {"new_owner": members["admin"].pk, "password": "Correct-Horse-42!"})
    assert ok.status_code == 302
    # Issue 20: the transfer now waits for the Admin's acceptance (tests/transfers).
    assert Membership.objects.get(pk=members["admin"].pk).role == "admin"
    assert Membership.objects.get(pk=members["owner"].pk).role == "owner"
    assert account.ownership_transfers.filter(status="pending").count() == 1


# --- activity log page ----------------------------------------------------------------------


def test_activity_page_is_newest_first_and_filterable(
    client_for, account, members, django_assert_max_num_queries
):
    old = ActivityEventFactory(
        account=account, action="member.suspended", target_label="old@x.test"
    )
    new = ActivityEventFactory(account=account, action="member.revoked", target_label="new@x.test")
    ActivityEventFactory(target_label="elsewhere@x.test")  # another account's event
    client = client_for(members["admin"].user)
    url = reverse("audit:activity", args=[account.slug])
    client.get(url)  # warm the session
    with django_assert_max_num_queries(10):
        body = client.get(url).content.decode()
    assert body.index("new@x.test") < body.index("old@x.test")
    assert "elsewhere@x.test" not in body
    body = client.get(url, {"action": "member.suspended"}).content.decode()
    assert "old@x.test" in body and "new@x.test" not in body
    body = client.get(url, {"person": "NEW@"}).content.decode()
    assert "new@x.test" in body and "old@x.test" not in body
    assert ActivityEvent.objects.filter(pk__in=[old.pk, new.pk]).count() == 2


def test_pending_invitations_are_paginated_on_their_own(client_for, account, members):
    from tests.factories import InvitationFactory

    InvitationFactory.create_batch(30, account=account, invited_by=members["owner"].user)
    client = client_for(members["admin"].user)
    first = client.get(users_url(account)).context["invitations_page"]
    second = client.get(users_url(account, inv_page=2)).context["invitations_page"]
    assert first.paginator.count == 30
    assert (len(first.object_list), len(second.object_list)) == (25, 5)
    body = client.get(users_url(account, page=1)).content.decode()
    assert 'href="?page=1&amp;inv_page=2#invitations">Next</a>' in body


def test_users_page_escapes_names_and_emails_in_rows(client_for, account, members):
    from tests.factories import InvitationFactory

    MembershipFactory(
        account=account, user=UserFactory(first_name='<script>x</script>"', last_name="O'Neil")
    )
    InvitationFactory(account=account, email="a&b@example.test", invited_by=members["owner"].user)
    body = client_for(members["owner"].user).get(users_url(account)).content.decode()
    assert "<script>x" not in body
    assert "&lt;script&gt;x&lt;/script&gt;&quot; O&#x27;Neil" in body
    assert 'data-invitation="a&amp;b@example.test"' in body


def test_users_page_dates_follow_the_viewers_time_zone(client_for, account, members):
    from datetime import UTC, datetime

    from tests.factories import InvitationFactory

    joined = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    member = MembershipFactory(account=account, created_at=joined)
    member.user.last_login = joined
    member.user.save()
    InvitationFactory(
        account=account, created_at=joined, expires_at=datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    )
    viewer = members["owner"].user
    viewer.time_zone = "Asia/Tokyo"  # UTC+9: 23:30 UTC on 1 March is 08:30 on 2 March
    viewer.save()
    body = client_for(viewer).get(users_url(account)).content.decode()
    assert '<time datetime="2026-03-02T08:30:00+09:00">2 Mar 2026, 08:30 JST</time>' in body
    assert '<time datetime="2026-03-02T08:30:00+09:00">2 Mar 2026</time>' in body
    assert "9 Mar 2026, 08:30 JST" in body  # the invitation's expiry


def test_seats_count_everyone_and_pending_invitations_whatever_the_filter(
    client_for, account, members
):
    from tests.factories import InvitationFactory

    InvitationFactory.create_batch(2, account=account)
    seats = len(members) + 2
    client = client_for(members["owner"].user)
    for params in ({}, {"q": members["viewer"].user.email}, {"level": "viewer"}):
        body = client.get(users_url(account, **params)).content.decode()
        assert f"{seats} of " in body or f"{seats} seats used" in body, params


def test_row_links_are_right_when_the_slug_holds_the_placeholder_digits(client_for):
    from tests.factories import AccountFactory, InvitationFactory

    account = AccountFactory(slug="team-987654321")
    owner = MembershipFactory(account=account, role="owner")
    member = MembershipFactory(account=account, role="viewer")
    invitation = InvitationFactory(account=account, invited_by=owner.user)
    response = client_for(owner.user).get(users_url(account))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="/a/team-987654321/users/{member.pk}/revoke/"' in body
    assert f'action="/a/team-987654321/users/invitations/{invitation.pk}/resend/"' in body


def test_subquery_count_counts_each_queryset_and_an_empty_one_as_zero(account, members):
    from accounts.models import Account
    from memberships.selectors import subquery_count

    everyone = Membership.objects.filter(account=account)
    viewers = everyone.filter(role="viewer")
    row = (
        Account.objects.filter(pk=account.pk)
        .values(
            everyone=subquery_count(everyone),
            viewers=subquery_count(viewers),
            nobody=subquery_count(everyone.filter(role="nobody")),
        )
        .get()
    )
    assert row == {"everyone": everyone.count(), "viewers": viewers.count(), "nobody": 0}


def test_a_relation_the_rows_did_not_load_costs_one_query_per_page(
    account, members, django_assert_num_queries
):
    from invitations.selectors import pending_invitations
    from memberships.selectors import member_rows, members_page
    from tests.factories import InvitationFactory

    InvitationFactory.create_batch(3, account=account)
    rows = list(member_rows(members_page(account)[:25]))
    invitations = list(pending_invitations(account)[:25])
    assert len(rows) == len(members) and len(invitations) == 3
    with django_assert_num_queries(2):  # not one per row: FETCH_PEERS loads them together
        assert {row.account.pk for row in rows} == {account.pk}
        assert {invitation.account.pk for invitation in invitations} == {account.pk}

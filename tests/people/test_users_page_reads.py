"""The Users page's reads (memberships/users_page.py) against the selectors the API reads: the
same members in the same order, the same invitations and the same numbers, for every filter,
page (read from either end) and invitation state, on whichever database the suite runs; and
the page and the API show the same members for the same data."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from invitations.selectors import pending_invitations, seats_used
from memberships.selectors import member_rows, members_page
from people import users_page
from people.users_page import MemberFilter
from tests.factories import AccountFactory, InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FILTERS = [
    MemberFilter(),
    MemberFilter(q="ANN"),  # case-insensitive, first name, last name or email
    MemberFilter(q="corp.test"),
    MemberFilter(q="100%_x"),  # LIKE wildcards are literal
    MemberFilter(level="viewer"),
    MemberFilter(status="suspended"),
    MemberFilter(q="o", level="author", status="active"),
]


@pytest.fixture
def crowd():
    """An account of 37 members with mixed levels, states, names, emails and 2FA, and a
    second account whose rows must never appear."""
    account = AccountFactory()
    names = ["Ann", "anna", "Bob", "Zed", "Joanne", "Ó'Brien", "<b>", "Lee"]
    for i in range(37):
        user = UserFactory(
            email=f"{'ZZ' if i % 5 == 0 else 'm'}{i:02d}@{'corp' if i % 3 else 'home'}.test",
            first_name=names[i % len(names)],
            last_name=names[(i * 3) % len(names)] if i % 4 else "",
        )
        role = ["viewer", "author", "manager", "admin"][i % 4] if i else "owner"
        status = "suspended" if i % 7 == 3 else "active"
        MembershipFactory(account=account, user=user, role=role, status=status)
        if i % 6 == 1:
            Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
        if i % 9 == 2:
            Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    MembershipFactory(
        account=account, user=UserFactory(email="100%_x@corp.test", first_name="Per Cent")
    )
    MembershipFactory(account=account, user=UserFactory(email="100aax@corp.test"))
    MembershipFactory(account=AccountFactory(), user=UserFactory(email="ann@corp.test"))
    return account


def orm_members(account, member_filter):
    return list(member_rows(members_page(account, **vars(member_filter))))


def described(members):
    return [(m.pk, m.user.email, m.role, m.status, m.has_2fa, m.created_at) for m in members]


@pytest.mark.parametrize("member_filter", FILTERS, ids=repr)
def test_members_and_numbers_match_the_selectors_for_every_filter_and_page(crowd, member_filter):
    expected = orm_members(crowd, member_filter)
    numbers = users_page.numbers(crowd, member_filter)
    assert numbers.members == len(expected)
    assert numbers.seats_used == seats_used(crowd)
    if member_filter == MemberFilter(q="100%_x"):
        assert [m.user.email for m in expected] == ["100%_x@corp.test"]
    for limit in (1, 7, 25, 60):
        for offset in range(0, len(expected) + limit, limit):
            page = users_page.member_page(
                crowd, member_filter, offset=offset, limit=limit, total=numbers.members
            )
            assert described(page) == described(expected[offset : offset + limit]), (
                offset,
                limit,
            )


def test_member_rows_load_what_the_page_reads_and_nothing_more(crowd):
    expected = orm_members(crowd, MemberFilter())[3]
    row = users_page.member_page(crowd, MemberFilter(), offset=3, limit=1, total=39)[0]
    assert row == expected and row.user == expected.user
    for instance, source, names in (
        (row, expected, users_page.MEMBER_FIELDS),
        (row.user, expected.user, users_page.MEMBER_USER_FIELDS),
    ):
        for name in names:
            attname = instance._meta.get_field(name).attname
            assert getattr(instance, attname) == getattr(source, attname), name
        assert not instance.get_deferred_fields() & set(names)
    assert "password" in row.user.get_deferred_fields()  # never read, never fetched


def test_window_reads_late_pages_from_the_end():
    assert users_page._window(1000, 0, 25) == (False, 0, 25)
    assert users_page._window(1000, 975, 25) == (True, 0, 25)
    assert users_page._window(1001, 1000, 25) == (True, 0, 1)  # a last page of one
    assert users_page._window(1000, 600, 25) == (True, 375, 25)
    assert users_page._window(10, 25, 25)[2] == 0  # past the end: nothing


def test_invitations_and_numbers_match_the_selectors_in_every_state():
    account = AccountFactory()
    now = timezone.now()
    inviter = UserFactory(first_name="Inviting")
    for i in range(30):
        InvitationFactory(
            account=account,
            email=f"inv{i:02d}@example.test",
            invited_by=inviter if i % 3 else None,  # None: the inviter's user was deleted
            created_at=now - timedelta(hours=i),
        )
    # Expired and not replaced: listed. Expired and replaced by a newer one: not listed.
    for email in ("lapsed@example.test", "inv00@example.test"):
        InvitationFactory(
            account=account,
            email=email,
            status="expired",
            created_at=now - timedelta(days=9),
            expires_at=now - timedelta(days=2),
        )
    # Still "pending" but past its expiry (the expiry job has not run): listed, no seat.
    InvitationFactory(
        account=account,
        email="overdue@example.test",
        created_at=now - timedelta(days=8),
        expires_at=now - timedelta(minutes=1),
    )
    for status in ("accepted", "cancelled", "declined"):
        InvitationFactory(account=account, email=f"{status}@example.test", status=status)
    InvitationFactory(account=AccountFactory(), email="elsewhere@example.test")

    expected = list(pending_invitations(account))
    numbers = users_page.numbers(account, MemberFilter())
    assert numbers.invitations == len(expected) == 32
    assert numbers.seats_used == seats_used(account) == 30
    for offset in (0, 25, 50):
        page = users_page.invitation_page(account, offset=offset, limit=25)
        assert [(i.pk, i.email, i.status) for i in page] == [
            (i.pk, i.email, i.status) for i in expected[offset : offset + 25]
        ]
        inviters = {i.pk: i.invited_by for i in expected}
        for row in page:
            assert row.invited_by == inviters[row.pk]
            assert row.invited_by is None or row.invited_by.email == inviters[row.pk].email
            assert row.created_at.tzinfo is not None


def test_seats_count_everyone_whatever_the_filter(crowd):
    everyone = users_page.numbers(crowd, MemberFilter()).seats_used
    for member_filter in FILTERS:
        assert users_page.numbers(crowd, member_filter).seats_used == everyone


def test_pending_invitations_count_the_same_whatever_the_time_zone_of_now():
    from zoneinfo import ZoneInfo

    account = AccountFactory()
    now = timezone.now()
    InvitationFactory(account=account, created_at=now - timedelta(days=7), expires_at=now)
    InvitationFactory(account=account, expires_at=now + timedelta(hours=3))
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        local_now = (now + timedelta(hours=1)).astimezone(ZoneInfo(zone))
        numbers = users_page.numbers(account, MemberFilter(), now=local_now)
        assert numbers.seats_used == seats_used_at(account, local_now) == 1, zone


def seats_used_at(account, now):
    from invitations.models import Invitation

    return Invitation.objects.pending(now=now).filter(account=account).count()


def test_the_users_page_and_the_api_show_the_same_members(crowd, client_for):
    """One read path: the page's rows and the API's items for the same account agree."""
    from django.urls import reverse

    from tests.api.conftest import ApiClient
    from tests.factories import ApiKeyFactory

    owner = crowd.memberships.get(role="owner")
    key = ApiKeyFactory(account=crowd, created_by=owner.user)
    api = ApiClient(key.raw_key)
    items = api("GET", "/members?limit=25&offset=25").json()["items"]
    page = client_for(owner.user).get(
        reverse("people:users", kwargs={"slug": crowd.slug}), {"page": 2}
    )
    rows = page.context["members"]
    assert [m.pk for m in rows] == [item["id"] for item in items]
    assert [(m.user.email, m.role, m.status, m.has_2fa) for m in rows] == [
        (i["email"], i["level"], i["status"], i["two_factor_enabled"]) for i in items
    ]

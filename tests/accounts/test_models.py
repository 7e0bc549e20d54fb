import pytest
from django.db import IntegrityError, transaction

from memberships.models import Membership
from tests.factories import AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_two_owners_in_one_account_are_refused_by_the_database():
    account = AccountFactory()
    MembershipFactory(account=account, role="owner")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(account=account, user=UserFactory(), role="owner")
    assert account.memberships.filter(role="owner").count() == 1


def test_owner_of_one_account_may_own_another():
    user = UserFactory()
    MembershipFactory(user=user, role="owner")
    MembershipFactory(user=user, role="owner")
    assert user.memberships.filter(role="owner").count() == 2


def test_one_membership_per_user_per_account():
    membership = MembershipFactory(role="viewer")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(account=membership.account, user=membership.user, role="admin")


def test_unknown_role_is_refused_by_the_database():
    account = AccountFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.bulk_create(
            [Membership(account=account, user=UserFactory(), role="god")]
        )


def test_owner_cannot_be_suspended_in_the_database():
    membership = MembershipFactory(role="owner")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(status="suspended")

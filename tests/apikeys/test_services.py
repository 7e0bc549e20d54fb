import pytest
from django.utils import timezone

from apikeys import services
from apikeys.exceptions import AccountClosed, ApiKeyPermissionDenied
from apikeys.models import ApiKey
from audit.models import ActivityEvent
from tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def test_create_key_returns_the_only_copy_of_the_secret(members, account):
    key, raw = services.create_key(account=account, name=" CRM ", actor=members["admin"].user)
    assert raw.startswith(f"rk_{key.prefix}_")
    assert key.name == "CRM"
    assert raw.split("_", 2)[2] not in key.secret_hash
    event = ActivityEvent.objects.get(action="apikey.created")
    assert event.actor == members["admin"].user
    assert event.target_label == "CRM"


@pytest.mark.parametrize("role", ["manager", "author", "viewer"])
def test_levels_below_admin_cannot_create_keys(members, account, role):
    with pytest.raises(ApiKeyPermissionDenied):
        services.create_key(account=account, name="x", actor=members[role].user)
    assert not ApiKey.objects.exists()


def test_no_keys_in_a_closed_account(members, account):
    account.closed_at = timezone.now()
    account.save()
    with pytest.raises(AccountClosed):
        services.create_key(account=account, name="x", actor=members["owner"].user)
    assert not ApiKey.objects.exists()


def test_only_the_owner_regenerates(members, account):
    key = ApiKeyFactory(account=account, created_by=members["admin"].user)
    before = key.secret_hash
    with pytest.raises(ApiKeyPermissionDenied):
        services.regenerate_key(key=key, actor=members["admin"].user)
    key.refresh_from_db()
    assert key.secret_hash == before
    _, raw = services.regenerate_key(key=key, actor=members["owner"].user)
    key.refresh_from_db()
    assert key.secret_hash != before
    assert raw.startswith(f"rk_{key.prefix}_")


def test_delete_keys_of_deletes_only_that_persons_keys_in_that_account(
    members, account, other_account
):
    admin = members["admin"].user
    mine = [ApiKeyFactory(account=account, created_by=admin) for _ in range(2)]
    owners = ApiKeyFactory(account=account, created_by=members["owner"].user)
    elsewhere = ApiKeyFactory(account=other_account, created_by=admin)
    deleted = services.delete_keys_of(account=account, user=admin, actor=members["owner"].user)
    assert deleted == 2
    assert not ApiKey.objects.filter(pk__in=[k.pk for k in mine]).exists()
    assert ApiKey.objects.filter(pk__in=[owners.pk, elsewhere.pk]).count() == 2
    events = ActivityEvent.objects.filter(action="apikey.deleted", account=account)
    assert events.count() == 2
    assert {e.target_user for e in events} == {admin}


def test_delete_keys_of_nobody_is_zero(members, account):
    assert (
        services.delete_keys_of(
            account=account, user=members["viewer"].user, actor=members["owner"].user
        )
        == 0
    )
    assert not ActivityEvent.objects.exists()

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/joining/joinrequest/?q=example&status__exact=pending",
        "/django-admin/transfers/ownershiptransfer/?status__exact=pending",
    ],
)
def test_staff_see_requests_and_transfers_read_only(client_for, path, asked, members):
    from transfers import services

    services.start_transfer(
        account=members["owner"].account,
        new_owner_membership_id=members["admin"].pk,
        actor=members["owner"].user,
    )
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client_for(staff).get(path)
    assert response.status_code == 200
    assert b"to view |" in response.content  # "Select ... to view": read-only
    assert response.context["cl"].result_count == 1


@pytest.fixture
def asked(open_account, token_hash):
    from joining import services

    return services.request_to_join(token_hash=token_hash, note="", actor=UserFactory())

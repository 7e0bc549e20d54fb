import pytest

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_django_admin_is_for_staff_only(client_for):
    member = MembershipFactory(role="owner")
    response = client_for(member.user).get("/django-admin/")
    assert response.status_code == 302
    assert "/django-admin/login/" in response["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/django-admin/accounts/user/?q=ana",
        "/django-admin/accounts/account/?plan__exact=premium",
        "/django-admin/memberships/membership/?role__exact=owner",
        "/django-admin/audit/activityevent/",
    ],
)
def test_staff_can_search_and_filter_the_models(client_for, path):
    staff = UserFactory(is_staff=True, is_superuser=True, email="ana@staff.test")
    MembershipFactory(role="owner")
    response = client_for(staff).get(path)
    assert response.status_code == 200

"""/scim/v2/Users and the discovery endpoints: filters, pagination, attributes, PUT and
PATCH shapes, and bodies a client gets wrong (a SCIM error each, never a 500)."""

import pytest

from memberships.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.scim.conftest import USER_SCHEMA, new_user, patch

pytestmark = pytest.mark.django_db


def _ids(response):
    assert response.status_code == 200, response.content
    return [r["id"] for r in response.json()["Resources"]]


@pytest.fixture
def people(scim):
    made = {}
    for i, (email, ext, active) in enumerate(
        [
            ("ann@example.com", "a1", True),
            ("bob@example.com", "b2", False),
            ("cy@corp.test", "c3", True),
        ]
    ):
        response = scim.post(
            "Users",
            new_user(email, given=f"G{i}", family=f"F{i}", external_id=ext) | {"active": active},
        )
        assert response.status_code == 201, response.content
        made[email] = response.json()["id"]
    return made


def test_filters(scim, people):
    assert _ids(scim.get('Users?filter=userName eq "ANN@example.com"')) == [
        people["ann@example.com"]
    ]
    assert _ids(scim.get('Users?filter=emails[type eq "work"].value eq "bob@example.com"')) == [
        people["bob@example.com"]
    ]
    assert _ids(scim.get('Users?filter=emails.value eq "cy@corp.test"')) == [people["cy@corp.test"]]
    assert _ids(scim.get('Users?filter=externalId eq "c3"')) == [people["cy@corp.test"]]
    assert _ids(scim.get('Users?filter=externalId eq "C3"')) == []  # externalId is caseExact
    assert people["bob@example.com"] in _ids(scim.get("Users?filter=active eq false"))
    assert people["bob@example.com"] not in _ids(scim.get("Users?filter=active eq true"))
    assert _ids(scim.get('Users?filter=userName sw "ann" or userName ew "corp.test"')) == [
        people["ann@example.com"],
        people["cy@corp.test"],
    ]
    assert _ids(scim.get('Users?filter=not (userName co "example")&filter=')) != []


def test_unknown_or_malformed_filters_are_invalid_filter(scim, people):
    for bad in [
        'title eq "x"',
        "userName eq",
        "userName zz 1",
        'addresses[type eq "work"].value eq "x"',
    ]:
        response = scim.get(f"Users?filter={bad}")
        assert response.status_code == 400, (bad, response.content)
        assert response.json()["scimType"] in {"invalidFilter", "invalidValue"}


def test_pagination_is_one_based_and_counts_everything(scim, people):
    everyone = scim.get("Users").json()
    total = everyone["totalResults"]
    assert total == 5  # Owner, Admin and the three
    page = scim.get("Users?startIndex=2&count=2").json()
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2 and page["totalResults"] == total
    assert [r["id"] for r in page["Resources"]] == [r["id"] for r in everyone["Resources"][1:3]]
    none = scim.get("Users?count=0").json()
    assert none["totalResults"] == total and none["itemsPerPage"] == 0
    assert none.get("Resources", []) == []
    assert scim.get("Users?startIndex=-4&count=abc").status_code == 200


def test_attributes_and_excluded_attributes(scim, people):
    uid = people["ann@example.com"]
    only = scim.get(f"Users/{uid}?attributes=userName").json()
    assert set(only) == {"schemas", "id", "userName"}
    without = scim.get(f"Users/{uid}?excludedAttributes=emails,groups").json()
    assert "emails" not in without and "groups" not in without and without["userName"]
    listed = scim.get('Users?filter=userName eq "ann@example.com"&attributes=externalId').json()
    assert listed["Resources"][0] == {"schemas": [USER_SCHEMA], "id": uid, "externalId": "a1"}


def test_put_replaces_and_patch_handles_each_shape(scim, people):
    uid = people["ann@example.com"]
    current = scim.get(f"Users/{uid}").json()
    replaced = scim.put(f"Users/{uid}", current | {"externalId": "a1-new", "active": False})
    assert replaced.status_code == 200 and replaced.json()["externalId"] == "a1-new"
    assert replaced.json()["active"] is False
    shapes = [
        {"op": "replace", "path": "active", "value": True},
        {"op": "Replace", "value": {"name.givenName": "Anne"}},
        {"op": "add", "path": "name.familyName", "value": "Added"},
        {"op": "replace", "path": "externalId", "value": "a1-patched"},
        {"op": "remove", "path": "externalId"},
    ]
    for op in shapes:
        response = scim.patch(f"Users/{uid}", patch(op))
        assert response.status_code == 200, (op, response.content)
    final = scim.get(f"Users/{uid}").json()
    assert final["active"] is True
    assert final["name"]["givenName"] == "Anne" and final["name"]["familyName"] == "Added"
    assert "externalId" not in final


def test_username_cannot_change(scim, people):
    uid = people["ann@example.com"]
    response = scim.patch(
        f"Users/{uid}", patch({"op": "replace", "path": "userName", "value": "x@example.com"})
    )
    assert response.status_code == 400 and response.json()["scimType"] == "mutability"


def test_bad_bodies_are_scim_errors(scim, people, settings):
    uid = people["ann@example.com"]
    cases = [
        ("post", "Users", b"{not json", 400, "invalidSyntax"),
        ("post", "Users", b"[1, 2]", 400, "invalidSyntax"),
        ("post", "Users", b"\xff\xfe", 400, "invalidSyntax"),
        (
            "put",
            f"Users/{uid}",
            b'{"schemas": ["urn:example:unknown"], "userName": "a@example.com"}',
            400,
            None,
        ),
        (
            "post",
            "Users",
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}',
            400,
            None,
        ),
        (
            "post",
            "Users",
            b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "no-at"}',
            400,
            "invalidValue",
        ),
        (
            "patch",
            f"Users/{uid}",
            b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
            b' "Operations": [{"op": "explode"}]}',
            400,
            None,
        ),
        (
            "patch",
            f"Users/{uid}",
            b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}',
            400,
            None,
        ),
    ]
    before = list(Membership.objects.order_by("pk").values())
    for method, path, raw, status, scim_type in cases:
        response = scim.request(method, path, raw=raw)
        assert response.status_code == status, (path, raw, response.content)
        body = response.json()
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
        if scim_type:
            assert body["scimType"] == scim_type, body
    assert list(Membership.objects.order_by("pk").values()) == before


def test_a_five_megabyte_body_is_413(scim):
    huge = (
        b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "'
        + b"a" * (5 * 1024 * 1024)
        + b'@example.com"}'
    )
    response = scim.request("POST", "Users", raw=huge)
    assert response.status_code == 413
    assert response.json()["status"] == "413"


def test_unknown_paths_and_methods(scim):
    assert scim.get("Nope").status_code == 404
    assert scim.get("Nope").json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim.get("Users/abc").status_code == 404
    assert scim.get("Users/99999999999999999999999").status_code == 404
    response = scim.put("Users", {})
    assert response.status_code == 405 and "GET" in response["Allow"]


def test_discovery(scim):
    spc = scim.get("ServiceProviderConfig").json()
    assert spc["patch"]["supported"] is True and spc["bulk"]["supported"] is False
    assert spc["filter"] == {"supported": True, "maxResults": 200}
    types = scim.get("ResourceTypes").json()
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}
    user_type = scim.get("ResourceTypes/User").json()
    assert user_type["schemaExtensions"][0]["schema"].endswith("enterprise:2.0:User")
    schemas = scim.get("Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} >= {USER_SCHEMA}
    assert scim.get(f"Schemas/{USER_SCHEMA}").json()["name"] == "User"
    assert scim.get("Schemas/urn:nope").status_code == 404


def test_list_queries_do_not_grow_with_members(scim, django_assert_max_num_queries):
    MembershipFactory.create_batch(3, account=scim.account, role="viewer")
    with django_assert_max_num_queries(12):
        assert scim.get("Users").status_code == 200
    MembershipFactory.create_batch(30, account=scim.account, role="author")
    with django_assert_max_num_queries(12):
        assert scim.get("Users").status_code == 200
    with django_assert_max_num_queries(12):
        assert scim.get("Groups").status_code == 200


def test_created_login_email_is_normalised(scim):
    response = scim.post("Users", new_user("Mixed.Case@Example.COM"))
    assert response.status_code == 201
    assert (
        UserFactory._meta.model.objects.filter(email__iexact="mixed.case@example.com").count() == 1
    )


def test_name_filters_and_an_attribute_roster_cannot_filter_on(scim, people):
    assert _ids(scim.get('Users?filter=name.givenName eq "g0"')) == [people["ann@example.com"]]
    assert _ids(scim.get('Users?filter=name.familyName sw "F2"')) == [people["cy@corp.test"]]
    refused = scim.get('Users?filter=displayName eq "G0 F0"')
    assert refused.status_code == 400 and refused.json()["scimType"] == "invalidFilter"

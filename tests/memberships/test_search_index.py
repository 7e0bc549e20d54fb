"""The Users page search can use the trigram indexes (PostgreSQL) for the SQL Django writes."""

import pytest
from django.db import connection

from memberships.selectors import members_page

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
    ),
]


def test_member_search_uses_the_trigram_indexes(account):
    from accounts.models import User
    from memberships.models import Membership

    users = User.objects.bulk_create(
        User(email=f"member{i:05d}@corp.test", first_name="Member", last_name=f"No {i}")
        for i in range(2_000)
    )
    Membership.objects.bulk_create(Membership(user=u, account=account) for u in users)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
        cursor.execute("ANALYZE memberships_membership")
        # On a table this small a scan costs less; at 10,000 members the planner picks the
        # indexes by itself (`make bench`). Rule scans out to ask whether the indexes match
        # the SQL Django writes for `icontains`.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = members_page(account, q="member01234").values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("user_email_trgm", "user_first_name_trgm", "user_last_name_trgm"):
        assert index in plan, plan
    found = members_page(account, q="MEMBER01234").select_related("user")
    assert [m.user.email for m in found] == ["member01234@corp.test"]

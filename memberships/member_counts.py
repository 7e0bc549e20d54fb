"""Repair of MemberCount (the per-account membership counts that triggers keep: the
PostgreSQL migrations', config/sqlite_triggers.py's on SQLite).

The triggers see every write made with triggers on. A restore with --disable-triggers or
rows copied with `session_replication_role = replica` bypass them; a wrong count would put
the Users page's pages in the wrong place. `reconcile_member_counts()` (the management
command of the same name, run on each deploy) recounts and corrects them.
"""

from django.db import connection, transaction

_DRIFTED = """
    SELECT a.id, COALESCE(c.members, 0), COUNT(m.id)
    FROM accounts_account a
    LEFT JOIN memberships_membercount c ON c.account_id = a.id
    LEFT JOIN memberships_membership m ON m.account_id = a.id
    GROUP BY a.id, c.members
    HAVING COALESCE(c.members, 0) <> COUNT(m.id)
    ORDER BY a.id
"""


@transaction.atomic(durable=True)
def reconcile_member_counts() -> list[tuple[int, int, int]]:
    """Set every account's count to its number of memberships; returns what was wrong as
    [(account id, kept count, real count)]."""
    with connection.cursor() as cursor:
        # Hold off membership writes while recounting, so no count is set from a stale read
        # (SQLite: the transaction took the database's write lock at BEGIN).
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE memberships_membership IN SHARE MODE")
        cursor.execute(_DRIFTED)
        drifted = cursor.fetchall()
        for account_id, _kept, real in drifted:
            cursor.execute(
                "INSERT INTO memberships_membercount (account_id, members) VALUES (%s, %s)"
                " ON CONFLICT (account_id) DO UPDATE SET members = EXCLUDED.members",
                [account_id, real],
            )
    return drifted

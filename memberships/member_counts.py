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
    return correct_counts(
        rows_table="memberships_membership",
        counts_table="memberships_membercount",
        column="members",
        drifted_sql=_DRIFTED,
    )


def correct_counts(*, rows_table, counts_table, column, drifted_sql) -> list[tuple[int, int, int]]:
    """Within the caller's transaction: set `counts_table.column` of each account that
    `drifted_sql` finds as (account id, kept, real) to the real count, and return those rows.
    Table and column names are the callers' literals."""
    with connection.cursor() as cursor:
        # Hold off writes to the counted rows while recounting, so no count is set from a
        # stale read (SQLite: the transaction took the database's write lock at BEGIN).
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {rows_table} IN SHARE MODE")
        cursor.execute(drifted_sql)
        drifted = cursor.fetchall()
        for account_id, _kept, real in drifted:
            cursor.execute(
                f"INSERT INTO {counts_table} (account_id, {column}) VALUES (%s, %s)"  # noqa: S608
                f" ON CONFLICT (account_id) DO UPDATE SET {column} = EXCLUDED.{column}",
                [account_id, real],
            )
    return drifted

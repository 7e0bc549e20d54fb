"""Repair of what triggers keep for the Users page (the PostgreSQL migrations' triggers,
config/sqlite_triggers.py's on SQLite): MemberCount, the per-account membership counts, and
Membership.user_email, each membership's copy of its user's email.

The triggers see every write made with triggers on. A restore with --disable-triggers or
rows copied with `session_replication_role = replica` bypass them; a wrong count would put
the Users page's pages in the wrong place, a wrong copy a member in the wrong place in its
email order. `reconcile_member_counts()` and `reconcile_user_email_copies()` (both run by the
management command `reconcile_member_counts`, on each deploy) find and correct them.

Why the triggers stay (`make bench`, 2026-11-30, PostgreSQL, one mixed stream, 10 to 100,000
members): counting with COUNT instead of the kept counts took the Users page at 100,000
members from 54.3 to 77.0 ms and missed p50(100,000) / p50(10) <= 1.5 (2.25 against 1.39);
ordering by `user__email` instead of the kept copy made the last page of 1,000 and of 10,000
members 4.4 times the first (254.5 against 46.9 ms; the target is 2).
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


_STALE_COPIES = """
    SELECT m.id, m.user_email, u.email
    FROM memberships_membership m JOIN accounts_user u ON u.id = m.user_id
    WHERE m.user_email <> u.email
    ORDER BY m.id
"""
# Both databases. On PostgreSQL the row trigger membership_user_email would put back the old
# copy (an outside UPDATE keeps the maintained copy: memberships migration 0002), so it is
# disabled around this statement; SQLite's update trigger sees the right copy and does nothing.
_COPY_EMAILS = """
    UPDATE memberships_membership SET user_email = (
        SELECT email FROM accounts_user WHERE accounts_user.id = memberships_membership.user_id)
    WHERE EXISTS (
        SELECT 1 FROM accounts_user WHERE accounts_user.id = memberships_membership.user_id
        AND accounts_user.email <> memberships_membership.user_email)
"""


@transaction.atomic(durable=True)
def reconcile_user_email_copies() -> list[tuple[int, str, str]]:
    """Set every membership's user_email to its user's email; returns what was wrong as
    [(membership id, kept copy, user's email)]."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No membership is written (nor, through its trigger, an email changed) until the
            # copies are set; the Users page still reads. DISABLE TRIGGER takes this lock too.
            cursor.execute("LOCK TABLE memberships_membership IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(_STALE_COPIES)
        stale = cursor.fetchall()
        if not stale:
            return stale  # no DDL on a deploy that has nothing to repair
        if connection.vendor == "postgresql":
            # Off for this transaction only: a rollback turns it back on.
            cursor.execute(
                "ALTER TABLE memberships_membership DISABLE TRIGGER membership_user_email"
            )
            cursor.execute(_COPY_EMAILS)
            cursor.execute(
                "ALTER TABLE memberships_membership ENABLE TRIGGER membership_user_email"
            )
        else:
            cursor.execute(_COPY_EMAILS)
    return stale

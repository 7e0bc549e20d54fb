"""Repair of PendingInvitationCount (the per-account pending-invitation counts that
triggers keep), as memberships.member_counts repairs MemberCount; `manage.py
reconcile_member_counts` runs both on each deploy."""

from django.db import connection, transaction

_DRIFTED = """
    SELECT a.id, COALESCE(c.pending, 0), COUNT(i.id)
    FROM accounts_account a
    LEFT JOIN invitations_pendinginvitationcount c ON c.account_id = a.id
    LEFT JOIN invitations_invitation i ON i.account_id = a.id AND i.status = 'pending'
    GROUP BY a.id, c.pending
    HAVING COALESCE(c.pending, 0) <> COUNT(i.id)
    ORDER BY a.id
"""


@transaction.atomic(durable=True)
def reconcile_pending_invitation_counts() -> list[tuple[int, int, int]]:
    """Set every account's count to its number of pending invitations; returns what was wrong
    as [(account id, kept count, real count)]."""
    with connection.cursor() as cursor:
        # Hold off invitation writes while recounting, so no count is set from a stale read
        # (SQLite: the transaction took the database's write lock at BEGIN).
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE invitations_invitation IN SHARE MODE")
        cursor.execute(_DRIFTED)
        drifted = cursor.fetchall()
        for account_id, _kept, real in drifted:
            cursor.execute(
                "INSERT INTO invitations_pendinginvitationcount (account_id, pending)"
                " VALUES (%s, %s)"
                " ON CONFLICT (account_id) DO UPDATE SET pending = EXCLUDED.pending",
                [account_id, real],
            )
    return drifted

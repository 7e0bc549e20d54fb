"""Repair of PendingInvitationCount (the per-account pending-invitation counts that
triggers keep), as memberships.member_counts repairs MemberCount; `manage.py
reconcile_member_counts` runs both on each deploy."""

from django.db import transaction

from memberships.member_counts import correct_counts

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
    return correct_counts(
        rows_table="invitations_invitation",
        counts_table="invitations_pendinginvitationcount",
        column="pending",
        drifted_sql=_DRIFTED,
    )

"""SQLite's twins of the triggers the PostgreSQL migrations create, kept outside migrations.

Three things the Users page reads are kept by the database, so no write path (the ORM,
bulk_create, the admin, allauth, raw SQL) can forget them:
- `memberships_membership.user_email`, a copy of the member's email (memberships migration
  0002): the email order is then a range of the index `membership_email_order`;
- `memberships_membercount`, each account's number of memberships (memberships 0003);
- `invitations_pendinginvitationcount`, its number of pending invitations (invitations 0004).

On SQLite the migrations create the columns and tables but no triggers: Django alters an
SQLite table by rebuilding it (copy, drop, rename), and a trigger naming the rebuilt table
from another table makes the rename fail, while the table's own triggers vanish with it. So
these row-level triggers live here instead: `drop()` runs before every `migrate` (pre_migrate)
and `create()` after it (post_migrate), which also recomputes what they keep, in case a
migration wrote rows meanwhile (memberships.apps wires both). Without them the Users page
sorted 10,000 joined rows and counted 11,000 on every view on SQLite (`make bench`).
"""

from django.db import transaction

TRIGGERS = {
    # The membership's copy of its user's email: set on insert; restored after any update that
    # left it different (an ORM save of a stale instance); followed when the user's email
    # changes. recursive_triggers is off (SQLite's default): these UPDATEs fire no trigger of
    # their own, and the WHEN clauses stop the others.
    "roster_membership_email_insert": """
        AFTER INSERT ON memberships_membership BEGIN
            UPDATE memberships_membership SET user_email = (
                SELECT email FROM accounts_user WHERE id = NEW.user_id) WHERE id = NEW.id;
        END""",
    "roster_membership_email_update": """
        AFTER UPDATE ON memberships_membership
        WHEN NEW.user_email IS NOT (SELECT email FROM accounts_user WHERE id = NEW.user_id)
        BEGIN
            UPDATE memberships_membership SET user_email = (
                SELECT email FROM accounts_user WHERE id = NEW.user_id) WHERE id = NEW.id;
        END""",
    "roster_user_email_to_memberships": """
        AFTER UPDATE OF email ON accounts_user WHEN OLD.email IS NOT NEW.email BEGIN
            UPDATE memberships_membership SET user_email = NEW.email WHERE user_id = NEW.id;
        END""",
    # Members per account. Increments are upserts, not INSERT OR IGNORE + UPDATE: the
    # conflict clause of the statement that fires a trigger replaces its statements' own, so
    # an ORM upsert (bulk_create(update_conflicts=True)) made the ignored insert fail. A raw
    # INSERT OR REPLACE deletes without firing delete triggers (recursive_triggers is off):
    # what it does to the counts, reconcile_member_counts repairs.
    "roster_member_count_add": """
        AFTER INSERT ON memberships_membership BEGIN
            INSERT INTO memberships_membercount (account_id, members) VALUES (NEW.account_id, 1)
            ON CONFLICT (account_id) DO UPDATE SET members = members + 1;
        END""",
    "roster_member_count_remove": """
        AFTER DELETE ON memberships_membership BEGIN
            UPDATE memberships_membercount SET members = members - 1
            WHERE account_id = OLD.account_id;
        END""",
    "roster_member_count_move": """
        AFTER UPDATE OF account_id ON memberships_membership
        WHEN OLD.account_id IS NOT NEW.account_id BEGIN
            UPDATE memberships_membercount SET members = members - 1
            WHERE account_id = OLD.account_id;
            INSERT INTO memberships_membercount (account_id, members) VALUES (NEW.account_id, 1)
            ON CONFLICT (account_id) DO UPDATE SET members = members + 1;
        END""",
    # Pending invitations per account: an invitation counts while its status is 'pending'
    # (InvitationStatus.PENDING).
    "roster_invitation_count_add": """
        AFTER INSERT ON invitations_invitation WHEN NEW.status = 'pending' BEGIN
            INSERT INTO invitations_pendinginvitationcount (account_id, pending)
            VALUES (NEW.account_id, 1)
            ON CONFLICT (account_id) DO UPDATE SET pending = pending + 1;
        END""",
    "roster_invitation_count_remove": """
        AFTER DELETE ON invitations_invitation WHEN OLD.status = 'pending' BEGIN
            UPDATE invitations_pendinginvitationcount SET pending = pending - 1
            WHERE account_id = OLD.account_id;
        END""",
    "roster_invitation_count_change": """
        AFTER UPDATE OF status, account_id ON invitations_invitation
        WHEN (OLD.status = 'pending') <> (NEW.status = 'pending')
            OR (NEW.status = 'pending' AND OLD.account_id <> NEW.account_id)
        BEGIN
            UPDATE invitations_pendinginvitationcount SET pending = pending - 1
            WHERE OLD.status = 'pending' AND account_id = OLD.account_id;
            INSERT INTO invitations_pendinginvitationcount (account_id, pending)
            SELECT NEW.account_id, 1 WHERE NEW.status = 'pending'
            ON CONFLICT (account_id) DO UPDATE SET pending = pending + 1;
        END""",
}
TABLES = {
    "accounts_user",
    "memberships_membership",
    "memberships_membercount",
    "invitations_invitation",
    "invitations_pendinginvitationcount",
}
# What the triggers keep, computed from the rows (after a migration, and to test them).
RECOMPUTE = [
    """UPDATE memberships_membership SET user_email = (
        SELECT email FROM accounts_user WHERE id = memberships_membership.user_id)
    WHERE user_email IS NOT (
        SELECT email FROM accounts_user WHERE id = memberships_membership.user_id)""",
    "DELETE FROM memberships_membercount",
    """INSERT INTO memberships_membercount (account_id, members)
    SELECT account_id, COUNT(*) FROM memberships_membership GROUP BY account_id""",
    "DELETE FROM invitations_pendinginvitationcount",
    """INSERT INTO invitations_pendinginvitationcount (account_id, pending)
    SELECT account_id, COUNT(*) FROM invitations_invitation WHERE status = 'pending'
    GROUP BY account_id""",
]


def drop(connection) -> None:
    """Remove the triggers (before a migration may rebuild a table they name)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create(connection, *, recompute: bool = True) -> bool:
    """Create the triggers and recompute what they keep; False (and nothing done) when the
    tables are not all there yet (a partial migrate)."""
    if connection.vendor != "sqlite" or not set(connection.introspection.table_names()) >= TABLES:
        return False
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
        for statement in RECOMPUTE if recompute else ():
            cursor.execute(statement)
    return True

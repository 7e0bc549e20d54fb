"""PendingInvitationCount: each account's number of pending invitations, kept by PostgreSQL
triggers, and an index of pending invitations by expiry.

The Users page counted the account's invitation rows on every view (1,000 of them at 10,000
members: the page's slowest query, 1.6 ms). Now it reads this count and subtracts the pending
invitations already past their expiry, which the partial index finds without reading the
others (`expire_invitations` marks them expired every hour, so they are few).

The triggers work as MemberCount's do (memberships migration 0003): statement-level, with
transition tables, so a bulk insert or `QuerySet.update()` adjusts each count once; an
invitation counts while its status is 'pending', so an insert, a delete, a status change and
a move to another account are what change a count. Each statement's changes are applied to
the count rows in account order (upserts; a delete's decrements lock the rows in that order
first), so concurrent writers lose nothing and never deadlock on them
(tests/invitations/test_pending_count.py). Writes made with triggers off are repaired by
`manage.py reconcile_member_counts`. SQLite gets the table here and its triggers after every
migrate, for the reason memberships migration 0002 gives (config/sqlite_triggers.py).
"""

import django.db.models.deletion
from django.db import migrations, models

# An UPDATE changes a count when a row leaves or enters the pending state of an account.
_LEFT = "r.status = 'pending' AND (a.status <> 'pending' OR a.account_id <> r.account_id)"
_ENTERED = "a.status = 'pending' AND (r.status <> 'pending' OR a.account_id <> r.account_id)"
_PAIRS = "removed r JOIN added a ON a.id = r.id"

POSTGRESQL = [
    """
    CREATE FUNCTION invitation_count_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO invitations_pendinginvitationcount AS c (account_id, pending)
        SELECT account_id, COUNT(*) FROM added WHERE status = 'pending'
        GROUP BY account_id ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET pending = c.pending + EXCLUDED.pending;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION invitation_count_remove() RETURNS trigger AS $$
    BEGIN
        -- Lock the counts in account order first (no deadlock between two multi-account
        -- deletes), then subtract.
        PERFORM 1 FROM invitations_pendinginvitationcount
        WHERE account_id IN (SELECT account_id FROM removed WHERE status = 'pending')
        ORDER BY account_id FOR UPDATE;
        UPDATE invitations_pendinginvitationcount AS c SET pending = c.pending - gone.n
        FROM (SELECT account_id, COUNT(*) AS n FROM removed WHERE status = 'pending'
              GROUP BY account_id) AS gone
        WHERE c.account_id = gone.account_id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE FUNCTION invitation_count_change() RETURNS trigger AS $$
    BEGIN
        -- Each account's net change (rows that entered its pending state minus rows that
        -- left it), applied by one upsert in account order: the count rows are locked, or
        -- created, in that order only, so two writers never wait on each other in a cycle.
        -- Most updates (delivery status, reminders) change no count and write nothing.
        INSERT INTO invitations_pendinginvitationcount AS c (account_id, pending)
        SELECT account_id, SUM(n) FROM (
            SELECT a.account_id, 1 AS n FROM {_PAIRS} WHERE {_ENTERED}
            UNION ALL SELECT r.account_id, -1 FROM {_PAIRS} WHERE {_LEFT}) AS moves
        GROUP BY account_id HAVING SUM(n) <> 0 ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET pending = c.pending + EXCLUDED.pending;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION invitation_count_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM invitations_pendinginvitationcount;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER invitation_count_add AFTER INSERT ON invitations_invitation
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION invitation_count_add()
    """,
    """
    CREATE TRIGGER invitation_count_remove AFTER DELETE ON invitations_invitation
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION invitation_count_remove()
    """,
    """
    CREATE TRIGGER invitation_count_change AFTER UPDATE ON invitations_invitation
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION invitation_count_change()
    """,
    """
    CREATE TRIGGER invitation_count_truncate AFTER TRUNCATE ON invitations_invitation
    FOR EACH STATEMENT EXECUTE FUNCTION invitation_count_truncate()
    """,
    """
    INSERT INTO invitations_pendinginvitationcount (account_id, pending)
    SELECT account_id, COUNT(*) FROM invitations_invitation WHERE status = 'pending'
    GROUP BY account_id
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS invitation_count_truncate ON invitations_invitation",
    "DROP TRIGGER IF EXISTS invitation_count_change ON invitations_invitation",
    "DROP TRIGGER IF EXISTS invitation_count_remove ON invitations_invitation",
    "DROP TRIGGER IF EXISTS invitation_count_add ON invitations_invitation",
    "DROP FUNCTION IF EXISTS invitation_count_truncate()",
    "DROP FUNCTION IF EXISTS invitation_count_change()",
    "DROP FUNCTION IF EXISTS invitation_count_remove()",
    "DROP FUNCTION IF EXISTS invitation_count_add()",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_search_trigram"),
        ("invitations", "0003_invitation_newest_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingInvitationCount",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.account",
                    ),
                ),
                ("pending", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["account", "expires_at"],
                name="invitation_pending_expiry",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

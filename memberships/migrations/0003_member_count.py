"""MemberCount: each account's number of memberships, kept by PostgreSQL triggers.

Statement-level triggers with transition tables, so a bulk insert of 10,000 members updates
the count once, not 10,000 times. `INSERT ... ON CONFLICT DO UPDATE` and `UPDATE ... SET
members = members - n` re-read the row's latest committed version, so concurrent writers
never lose an increment (tests/memberships/test_member_count.py); TRUNCATE empties the
counts too. Writes made with triggers disabled (session_replication_role = replica, a
restore with --disable-triggers) are repaired by `manage.py reconcile_member_counts`, which
the deploy steps in the README run. SQLite gets the table here and its triggers after every
migrate, for the reason migration 0002 gives (config/sqlite_triggers.py).
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION membership_count_add() RETURNS trigger AS $$
    BEGIN
        INSERT INTO memberships_membercount AS c (account_id, members)
        SELECT account_id, COUNT(*) FROM added GROUP BY account_id ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET members = c.members + EXCLUDED.members;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION membership_count_remove() RETURNS trigger AS $$
    BEGIN
        -- Lock the counts in account order first: two statements that each remove members
        -- of several accounts (two people deleted) then never wait on each other in a cycle.
        PERFORM 1 FROM memberships_membercount
        WHERE account_id IN (SELECT account_id FROM removed) ORDER BY account_id FOR UPDATE;
        UPDATE memberships_membercount AS c SET members = c.members - gone.n
        FROM (SELECT account_id, COUNT(*) AS n FROM removed GROUP BY account_id) AS gone
        WHERE c.account_id = gone.account_id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE FUNCTION membership_count_move() RETURNS trigger AS $$
    BEGIN
        -- Only memberships whose account changed (a level or status change moves nothing).
        PERFORM 1 FROM memberships_membercount
        WHERE account_id IN (
            SELECT r.account_id FROM removed r JOIN added a ON a.id = r.id
            WHERE a.account_id <> r.account_id
            UNION SELECT a.account_id FROM removed r JOIN added a ON a.id = r.id
            WHERE a.account_id <> r.account_id)
        ORDER BY account_id FOR UPDATE;
        UPDATE memberships_membercount AS c SET members = c.members - gone.n
        FROM (SELECT r.account_id, COUNT(*) AS n FROM removed r JOIN added a ON a.id = r.id
              WHERE a.account_id <> r.account_id GROUP BY r.account_id) AS gone
        WHERE c.account_id = gone.account_id;
        INSERT INTO memberships_membercount AS c (account_id, members)
        SELECT a.account_id, COUNT(*) FROM added a JOIN removed r ON r.id = a.id
        WHERE a.account_id <> r.account_id GROUP BY a.account_id ORDER BY a.account_id
        ON CONFLICT (account_id) DO UPDATE SET members = c.members + EXCLUDED.members;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER membership_count_add AFTER INSERT ON memberships_membership
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION membership_count_add()
    """,
    """
    CREATE TRIGGER membership_count_remove AFTER DELETE ON memberships_membership
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION membership_count_remove()
    """,
    """
    CREATE TRIGGER membership_count_move AFTER UPDATE ON memberships_membership
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION membership_count_move()
    """,
    """
    CREATE FUNCTION membership_count_truncate() RETURNS trigger AS $$
    BEGIN
        DELETE FROM memberships_membercount;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER membership_count_truncate AFTER TRUNCATE ON memberships_membership
    FOR EACH STATEMENT EXECUTE FUNCTION membership_count_truncate()
    """,
    """
    INSERT INTO memberships_membercount (account_id, members)
    SELECT account_id, COUNT(*) FROM memberships_membership GROUP BY account_id
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS membership_count_truncate ON memberships_membership",
    "DROP FUNCTION IF EXISTS membership_count_truncate()",
    "DROP TRIGGER IF EXISTS membership_count_move ON memberships_membership",
    "DROP TRIGGER IF EXISTS membership_count_remove ON memberships_membership",
    "DROP TRIGGER IF EXISTS membership_count_add ON memberships_membership",
    "DROP FUNCTION IF EXISTS membership_count_move()",
    "DROP FUNCTION IF EXISTS membership_count_remove()",
    "DROP FUNCTION IF EXISTS membership_count_add()",
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
        ("memberships", "0002_user_email_copy"),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberCount",
            fields=[
                (
                    "account",
                    models.OneToOneField(
                        on_delete=models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="accounts.account",
                    ),
                ),
                ("members", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

"""MemberCount: a membership moved to another account adjusts both counts in account order.

Migration 0003's move trigger locked the existing count rows in account order, then created a
missing one outside that order; a move from account `high` to `low` could then deadlock with a
transaction that had just created `low`'s count row and went on to `high`. Now each account's
net change is applied by one upsert in account order, as invitations migration 0004 does
(tests/memberships/test_member_count.py). Should a count row be missing (writes made with
triggers off), a move out of that account now leaves a negative row where the old function
left none; `manage.py reconcile_member_counts` repairs both. PostgreSQL only; SQLite's
triggers are row-level (config/sqlite_triggers.py).
"""

from django.db import migrations

_MOVED = "removed r JOIN added a ON a.id = r.id WHERE a.account_id <> r.account_id"

IN_ORDER = f"""
    CREATE OR REPLACE FUNCTION membership_count_move() RETURNS trigger AS $$
    BEGIN
        -- Only memberships whose account changed (a level or status change moves nothing).
        INSERT INTO memberships_membercount AS c (account_id, members)
        SELECT account_id, SUM(n) FROM (
            SELECT a.account_id, 1 AS n FROM {_MOVED}
            UNION ALL SELECT r.account_id, -1 FROM {_MOVED}) AS moves
        GROUP BY account_id HAVING SUM(n) <> 0 ORDER BY account_id
        ON CONFLICT (account_id) DO UPDATE SET members = c.members + EXCLUDED.members;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
"""
# Migration 0003's function, restored when this migration is reversed.
PREVIOUS = """
    CREATE OR REPLACE FUNCTION membership_count_move() RETURNS trigger AS $$
    BEGIN
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
"""


def replace(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("memberships", "0003_member_count")]

    operations = [migrations.RunPython(replace(IN_ORDER), replace(PREVIOUS))]

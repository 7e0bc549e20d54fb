"""Membership.user_email: a copy of the member's email for index-ordered paging.

Database triggers keep it equal to accounts_user.email whatever writes the rows (the ORM,
bulk_create, the admin, allauth's email change, raw SQL): a membership takes its user's
email on every insert and update, and a changed user email is copied to their memberships.
"""

from django.conf import settings
from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION membership_copy_user_email() RETURNS trigger AS $$
    BEGIN
        SELECT email INTO NEW.user_email FROM accounts_user WHERE id = NEW.user_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER membership_user_email BEFORE INSERT OR UPDATE ON memberships_membership
    FOR EACH ROW EXECUTE FUNCTION membership_copy_user_email()
    """,
    """
    CREATE FUNCTION user_email_to_memberships() RETURNS trigger AS $$
    BEGIN
        UPDATE memberships_membership SET user_email = NEW.email WHERE user_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER user_email_to_memberships AFTER UPDATE OF email ON accounts_user
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION user_email_to_memberships()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS user_email_to_memberships ON accounts_user",
    "DROP FUNCTION IF EXISTS user_email_to_memberships()",
    "DROP TRIGGER IF EXISTS membership_user_email ON memberships_membership",
    "DROP FUNCTION IF EXISTS membership_copy_user_email()",
]

# SQLite triggers cannot assign NEW, so they update the row just written (recursive
# triggers are off by default, so the inner UPDATE does not fire them again).
_SQLITE_COPY = """
    UPDATE memberships_membership
    SET user_email = (SELECT email FROM accounts_user WHERE id = NEW.user_id)
    WHERE id = NEW.id;
"""
SQLITE = [
    f"""
    CREATE TRIGGER membership_user_email_insert AFTER INSERT ON memberships_membership
    BEGIN {_SQLITE_COPY} END
    """,
    f"""
    CREATE TRIGGER membership_user_email_update AFTER UPDATE ON memberships_membership
    WHEN NEW.user_email IS NOT (SELECT email FROM accounts_user WHERE id = NEW.user_id)
    BEGIN {_SQLITE_COPY} END
    """,
    """
    CREATE TRIGGER user_email_to_memberships AFTER UPDATE OF email ON accounts_user
    WHEN OLD.email IS NOT NEW.email
    BEGIN
        UPDATE memberships_membership SET user_email = NEW.email WHERE user_id = NEW.id;
    END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS user_email_to_memberships",
    "DROP TRIGGER IF EXISTS membership_user_email_update",
    "DROP TRIGGER IF EXISTS membership_user_email_insert",
]
BACKFILL = """
    UPDATE memberships_membership
    SET user_email = (SELECT email FROM accounts_user WHERE accounts_user.id = user_id)
"""


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(
            f"membership email triggers are written for PostgreSQL and SQLite, not {vendor}"
        )
    _run(schema_editor, POSTGRESQL if vendor == "postgresql" else SQLITE)
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, POSTGRESQL_REVERSE if vendor == "postgresql" else SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_must_set_up_2fa"),
        ("memberships", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="user_email",
            field=models.CharField(default="", editable=False, max_length=254),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["account", "user_email", "id"], name="membership_email_order"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

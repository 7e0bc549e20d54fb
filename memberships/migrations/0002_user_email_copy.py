"""Membership.user_email: a copy of the member's email for index-ordered paging (PostgreSQL).

On PostgreSQL, triggers keep it equal to accounts_user.email whatever writes the rows (the
ORM, bulk_create, the admin, allauth's email change, raw SQL): a new membership (or one moved
to another user) takes its user's email, a changed user email is copied to their memberships,
and any other write keeps the maintained copy (an ORM save of a stale instance cannot
overwrite it).

SQLite gets the column but no triggers here: it rebuilds a table to alter it, and a trigger
that names the other table makes that rebuild fail (and would be dropped by it). Its triggers
are created after every migrate instead (config/sqlite_triggers.py).
"""

from django.conf import settings
from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE FUNCTION membership_copy_user_email() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.user_id IS DISTINCT FROM OLD.user_id THEN
            -- FOR SHARE: a concurrent change of this user's email waits for this insert to
            -- commit, then copies the new email to it (otherwise it could miss the new row).
            SELECT email INTO NEW.user_email FROM accounts_user WHERE id = NEW.user_id FOR SHARE;
        ELSIF pg_trigger_depth() = 1 THEN
            -- A write from outside (an ORM save of the whole row): keep the maintained copy.
            -- At depth 2 the write comes from user_email_to_memberships() and stands.
            NEW.user_email := OLD.user_email;
        END IF;
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
    """
    UPDATE memberships_membership AS m SET user_email = u.email
    FROM accounts_user AS u WHERE u.id = m.user_id
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS user_email_to_memberships ON accounts_user",
    "DROP FUNCTION IF EXISTS user_email_to_memberships()",
    "DROP TRIGGER IF EXISTS membership_user_email ON memberships_membership",
    "DROP FUNCTION IF EXISTS membership_copy_user_email()",
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

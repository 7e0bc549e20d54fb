"""Membership.user_email: copy each user's email to the memberships made before migration 0002.

0002 created its triggers first and backfilled after, with an UPDATE that its own BEFORE UPDATE
trigger reverted on PostgreSQL: an UPDATE from outside (trigger depth 1) that keeps user_id
keeps the old copy, so every membership older than 0002 kept user_email = '' and sorted first
on the Users page (in id order) instead of by email. The trigger lets only two UPDATEs set the
copy: one that moves the membership to another user, and the one its partner trigger makes when
a user's email changes (depth 2). Neither can backfill without changing rows' users or emails,
so the trigger is disabled for this UPDATE. ALTER TABLE ... DISABLE TRIGGER is transactional
(the migration's transaction: a failure leaves it enabled) and takes a SHARE ROW EXCLUSIVE lock
until commit, so no membership is written meanwhile (nor an email changed: that trigger writes
memberships too) while the Users page still reads.

SQLite never had the bug: its triggers are dropped before every migrate and created after it
with the copies recomputed (config/sqlite_triggers.py), so 0002's backfill there was empty but
the post-migrate recompute set every copy. The same UPDATE runs there (no trigger exists during
a migrate) so this migration is right on its own; it finds nothing to change.

Copies written later with the triggers off are repaired by `manage.py reconcile_member_counts`.
Reversing does nothing: the copies were wrong, and 0002's reverse drops the column anyway.
"""

from django.db import migrations

COPY_EMAILS = """
    UPDATE memberships_membership SET user_email = (
        SELECT email FROM accounts_user WHERE accounts_user.id = memberships_membership.user_id)
    WHERE EXISTS (
        SELECT 1 FROM accounts_user WHERE accounts_user.id = memberships_membership.user_id
        AND accounts_user.email <> memberships_membership.user_email)
"""


def copy_emails(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE memberships_membership DISABLE TRIGGER membership_user_email"
        )
        schema_editor.execute(COPY_EMAILS)
        schema_editor.execute(
            "ALTER TABLE memberships_membership ENABLE TRIGGER membership_user_email"
        )
    else:
        schema_editor.execute(COPY_EMAILS)


class Migration(migrations.Migration):
    dependencies = [("memberships", "0004_member_count_move_in_order")]

    operations = [migrations.RunPython(copy_emails, migrations.RunPython.noop)]

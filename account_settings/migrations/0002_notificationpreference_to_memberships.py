"""NotificationPreference moves to memberships (it is one row per membership, and the member
services that notify sit below account_settings). State only here: the table is kept and
renamed by memberships 0006."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("account_settings", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="NotificationPreference")],
        )
    ]

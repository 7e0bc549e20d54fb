"""NotificationPreference, from account_settings: its state is taken over here with the
existing table, which is then renamed to this app's name. No row is copied or lost."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("memberships", "0005_user_email_copy_backfill"),
        ("account_settings", "0002_notificationpreference_to_memberships"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("on_joined", models.BooleanField(default=True, verbose_name="someone joins")),
                        (
                            "on_left",
                            models.BooleanField(
                                default=True, verbose_name="someone leaves or is removed"
                            ),
                        ),
                        (
                            "on_level_changed",
                            models.BooleanField(default=True, verbose_name="someone's level changes"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "membership",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preference",
                                to="memberships.membership",
                            ),
                        ),
                    ],
                    options={"db_table": "account_settings_notificationpreference"},
                )
            ],
        ),
        migrations.AlterModelTable(name="notificationpreference", table=None),
    ]

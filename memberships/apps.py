from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = "Memberships"

    def ready(self):
        from django.db import connections
        from django.db.models.signals import post_migrate, pre_migrate

        from config import sqlite_triggers

        # SQLite: the derived columns' triggers are dropped around every migrate
        # (config/sqlite_triggers.py says why); nothing happens on PostgreSQL.
        def drop_sqlite_triggers(using, **kwargs):
            sqlite_triggers.drop(connections[using])

        def create_sqlite_triggers(using, **kwargs):
            sqlite_triggers.create(connections[using])

        pre_migrate.connect(drop_sqlite_triggers, sender=self, weak=False)
        post_migrate.connect(create_sqlite_triggers, sender=self, weak=False)

"""Writes that bypass the triggers keeping derived columns and counts, as a restore with
--disable-triggers would make: what `reconcile_member_counts` exists to repair."""

from contextlib import contextmanager

from config import sqlite_triggers


@contextmanager
def triggers_off(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
    else:
        sqlite_triggers.drop(connection)
        try:
            yield
        finally:
            sqlite_triggers.create(connection, recompute=False)

"""Races made deterministic on PostgreSQL: hold a transaction open until another one waits."""

import threading


def wait_until_someone_waits_for_a_lock(cursor, *, tries: int = 500) -> bool:
    """Poll pg_stat_activity (with `cursor`, on a connection of its own) until a session of
    this database waits for a lock; False if none did within `tries` x 10 ms."""
    for _ in range(tries):
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        if cursor.fetchone()[0]:
            return True
        threading.Event().wait(0.01)
    return False

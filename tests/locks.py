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


def run_in_threads(*targets, timeout: float = 20) -> list[Exception]:
    """Run each callable in a thread of its own (each closes its database connections when
    done) and return what they raised; fails the test if one is still running after
    `timeout` seconds (a deadlock the database did not detect)."""
    from django.db import connections

    errors: list[Exception] = []

    def guarded(target):
        try:
            target()
        except Exception as error:  # reported to the caller
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return errors

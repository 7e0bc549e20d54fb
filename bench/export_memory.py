"""Memory of the account export: tracemalloc peak while consuming the streamed ZIP.

Not a timed test. Builds accounts of N members (default 1,000 and 10,000) in a throwaway
SQLite database (or the database in --database-url, where the accounts are deleted again),
then drains `stream_export()` and reports the peak Python allocation. Flat memory means the
peak barely moves between sizes while the ZIP grows tenfold.

    .venv/bin/python bench/export_memory.py                 # prints JSON
    from bench.export_memory import measure; measure([1000, 10000])  # from bench/run.py
"""

import argparse
import json
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_django(database_url: str | None) -> str | None:
    """Point Django at `database_url`, or at a new temporary SQLite file (returned)."""
    temp_dir = None
    if database_url is None:
        temp_dir = tempfile.mkdtemp(prefix="roster-bench-")
        database_url = f"sqlite:///{temp_dir}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return temp_dir


def _build_account(members: int):
    from django.contrib.auth.hashers import make_password

    from accounts.models import Account, User
    from memberships.models import Membership

    account = Account.objects.create(
        name=f"Bench {members}", slug=f"bench-export-{members}-{os.getpid()}", plan="premium"
    )
    password = make_password(None)  # unusable: nobody signs in as these
    batch = 2000
    for start in range(0, members, batch):
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench{members}-{i}@example.test",
                    first_name="Bench",
                    last_name=f"Member {i}",
                    password=password,
                )
                for i in range(start, min(start + batch, members))
            ]
        )
        roles = ["owner"] + ["viewer"] * (len(users) - 1) if start == 0 else ["viewer"] * len(users)
        Membership.objects.bulk_create(
            [Membership(user=u, account=account, role=r) for u, r in zip(users, roles, strict=True)]
        )
    return account


def _drain(account) -> tuple[int, int]:
    """(zip bytes, tracemalloc peak bytes) while consuming the export stream."""
    from account_settings.export import stream_export

    tracemalloc.start()
    tracemalloc.reset_peak()
    size = 0
    for chunk in stream_export(account):
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak


def measure(sizes=(1000, 10000), database_url: str | None = None) -> dict:
    temp_dir = _setup_django(database_url)
    from accounts.models import User

    results = []
    try:
        for members in sizes:
            account = _build_account(members)
            try:
                zip_bytes, peak = _drain(account)
                results.append(
                    {
                        "members": members,
                        "zip_bytes": zip_bytes,
                        "peak_bytes": peak,
                        "peak_mib": round(peak / 2**20, 2),
                    }
                )
            finally:
                User.objects.filter(email__startswith=f"bench{members}-").delete()
                account.delete()
    finally:
        if temp_dir:
            import shutil

            shutil.rmtree(temp_dir, ignore_errors=True)
    return {"benchmark": "export_memory", "results": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(json.dumps(measure(args.members, args.database_url), indent=2))


if __name__ == "__main__":
    main()

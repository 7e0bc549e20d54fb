"""Production settings plus one bench-only URL (`bench/hello/`, the baseline view).

Everything else is config.settings as read from the environment (DEBUG=0, the real
middleware, the default PBKDF2 hasher). Only two things differ, neither on the request path:
the URLconf, and STATIC_ROOT, so `collectstatic` for the manifest storage writes under
bench/ (gitignored) instead of the project's staticfiles/.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, DATABASES, env

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "bench" / ".staticfiles"

# Opt-in check of a fix proposed for config/settings.py (not used by `make bench`): SQLite
# writers that take the write lock at BEGIN wait for each other instead of failing with
# "database is locked" when two requests write at once.
if env.bool("BENCH_SQLITE_IMMEDIATE", default=False) and DATABASES["default"]["ENGINE"].endswith(
    "sqlite3"
):
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

"""Production settings plus one bench-only URL (`bench/hello/`, the baseline view).

Everything else is config.settings as read from the environment (DEBUG=0, the real
middleware, the default PBKDF2 hasher). Only two things differ, neither on the request path:
the URLconf, and STATIC_ROOT, so `collectstatic` for the manifest storage writes under
bench/ (gitignored) instead of the project's staticfiles/.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BASE_DIR / "bench" / ".staticfiles"

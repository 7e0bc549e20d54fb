"""Roster settings: one module, every value read from the environment.

Development defaults are safe to run on a laptop; with DEBUG off (production) the
process refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("ROSTER_TESTING", default=False)
# The name people see in emails (Roster's own and allauth's) and on the TOTP set-up.
PRODUCT_NAME = env("PRODUCT_NAME", default="Roster")

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghij")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production mode (DEBUG=0) needs SECRET_KEY and ALLOWED_HOSTS in the environment."
        )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "crispy_forms",
    "crispy_bootstrap5",
    "anymail",
    "django_tasks_db",
    "accounts",
    "sms",
    "memberships",
    "invitations",
    "audit",
    "billing",
    "account_settings",
    "people",
    "apikeys",
    "api",
    "security",
    "scim",
    "transfers",
    "joining",
]

MIDDLEWARE = [
    "api.middleware.JsonErrorsMiddleware",  # first: it also sees the other middleware's errors
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.request_context.ClientIPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ThrottledUserSessionsMiddleware",
    "accounts.middleware.TimezoneMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "memberships.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production (a new connection per request costs every page).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the dev server, the worker and tests share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            # Take the write lock at BEGIN, so two concurrent writers wait for each other
            # instead of failing with "database is locked" half-way through.
            "transaction_mode": "IMMEDIATE",
        }
    )
elif "postgresql" in DATABASES["default"]["ENGINE"] and env.bool(
    "DB_PREPARED_STATEMENTS", default=False
):
    # psycopg's own prepared statements (its documented options, passed through by Django):
    # server-side binding, and a statement run `prepare_threshold` times on a connection is
    # prepared there. Off by default: behind a transaction-pooling PgBouncer older than 1.21
    # prepared statements break, and `make bench` measured no gain worth that (README).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["server_side_binding"] = True
    _options.setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis in production: CACHE_URL=redis://127.0.0.1:6379/0) --------------------------
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://roster")}

# --- Users and authentication --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.CharacterClassValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "memberships.forms.SignupExtraForm"
# Sign-up never says whether an email already has a login: every new email is verified
# before the person gets in, and a sign-up with a taken email gets the same "verify your
# email" page while allauth emails the existing person that they already have a login.
# (Invitation sign-ups are verified by the invitation link and go straight in.)
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
# Following the link in the browser that signed up (or tried to log in) finishes that log-in;
# allauth never logs in a link opened anywhere else, so a leaked link is no key.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# accounts' adapter plus text-message 2FA: a login stage and a re-authentication method.
ACCOUNT_ADAPTER = "sms.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{PRODUCT_NAME}] "
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password / email / 2FA changed" notices
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Failed logins: per client IP and per (lower-cased) email.
    "login_failed": "10/m/ip,5/300s/key",
}
# X-Forwarded-For is honoured only from this many trusted proxies in front of the app.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = PRODUCT_NAME
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Tracked by accounts.middleware.ThrottledUserSessionsMiddleware (at most once a minute).
USERSESSIONS_TRACK_ACTIVITY = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Roster product settings ----------------------------------------------------------------
INVITATION_EXPIRY = timedelta(days=env.int("INVITATION_EXPIRY_DAYS", default=7))
INVITATION_REMINDER_BEFORE = timedelta(days=2)
INVITATIONS_PER_ACCOUNT_PER_DAY = 25
INVITATION_RESENDS_PER_DAY = 3
# "Access until" (issue 20): at most a year ahead; reminders this many days before it.
ACCESS_REMINDER_DAYS = (7, 1)
# CSV invites: rows and bytes one file may hold.
CSV_INVITE_MAX_ROWS = 500
CSV_INVITE_MAX_BYTES = 512 * 1024
CLOSED_ACCOUNT_RETENTION = timedelta(days=30)
# Monthly prices in cents, per plan: no payment provider, invoices read this table.
PLAN_PRICES = {"free": 0, "essentials": 1300, "standard": 2000, "premium": 35000}
PLAN_CURRENCY = "USD"
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Email ---------------------------------------------------------------------------------
# EMAIL_URL: console (default), smtp://user:pass@host:port, or an anymail ESP via
# EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend plus ANYMAIL_* variables.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_backend = env("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
_options = {}
if _backend.endswith("smtp.EmailBackend"):
    _options = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or None,
        "password": _email.get("EMAIL_HOST_PASSWORD") or None,
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
MAILERS = {"default": {"BACKEND": _backend, "OPTIONS": _options}}
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Roster <no-reply@roster.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks ----------------------------------------------------------------------
# ImmediateBackend in development and tests; django-tasks-db + `manage.py db_worker` in production.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend"),
        "QUEUES": ["default"],
    }
}

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Roster's English wording of allauth's strings (sentence case): locale/en/LC_MESSAGES.
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files (Bootstrap is vendored in static/vendor and served by whitenoise) ----------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security: 2FA, API keys, API (issue 5) -------------------------------------------------
# (section owned by the security work; keep other settings out of it)
# Refuses removing the last authenticator while any of the person's accounts requires 2FA.
MFA_ADAPTER = "security.adapters.MFAAdapter"
# Pages that show secrets (recovery codes, TOTP set-up, API keys) are sent with no-store.
MIDDLEWARE += ["security.middleware.NoStoreOnSecretPagesMiddleware"]
MIDDLEWARE += ["sms.session.SessionMiddleware"]  # which second factor a session used (gate)
# API keys look like rk_<prefix>_<secret>; requests per key per minute, and failed key
# checks per client IP per minute (both answer 429 beyond the limit).
API_KEY_PREFIX = "rk"
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
API_AUTH_FAILURES_PER_MINUTE = env.int("API_AUTH_FAILURES_PER_MINUTE", default=30)

# SCIM 2.0 provisioning (scim/): tokens are scim_<prefix>_<secret>; limits per token and per IP.
SCIM_TOKEN_PREFIX = "scim"
SCIM_RATE_LIMIT_PER_MINUTE = env.int("SCIM_RATE_LIMIT_PER_MINUTE", default=600)
SCIM_AUTH_FAILURES_PER_MINUTE = env.int("SCIM_AUTH_FAILURES_PER_MINUTE", default=30)
SCIM_MAX_BODY_BYTES = 1024 * 1024
SCIM_MAX_RESULTS = 200

# Wrong current passwords per person per minute on the close-account and transfer forms.
PASSWORD_CONFIRM_FAILURES_PER_MINUTE = env.int("PASSWORD_CONFIRM_FAILURES_PER_MINUTE", default=5)

# --- Text messages (sms/): codes for SMS two-factor authentication (issue 18) --------------
# SMS_BACKEND: console (prints codes; development only), locmem (tests) or Twilio (README).
SMS_BACKEND = env(
    "SMS_BACKEND",
    default=(
        "sms.backends.locmem.SmsBackend"
        if TESTING
        else "sms.backends.console.SmsBackend"
        if DEBUG
        else "sms.backends.twilio.SmsBackend"
    ),
)
SMS_TWILIO_BASE_URL = env("SMS_TWILIO_BASE_URL", default="https://api.twilio.com")
SMS_TWILIO_ACCOUNT_SID = env("SMS_TWILIO_ACCOUNT_SID", default="")
SMS_TWILIO_API_KEY_SID = env("SMS_TWILIO_API_KEY_SID", default="")  # optional: an API key
SMS_TWILIO_AUTH_TOKEN = env("SMS_TWILIO_AUTH_TOKEN", default="")  # or the API key's secret
SMS_TWILIO_FROM = env("SMS_TWILIO_FROM", default="")  # +E.164 sender, or an MG... service id
SMS_TIMEOUT = env.int("SMS_TIMEOUT", default=10)
SMS_CODE_TTL = 300  # seconds a code is valid
SMS_CODE_MAX_TRIES = 5  # wrong codes before a new one is needed
SMS_SEND_INTERVAL = 30  # seconds between two codes, per person and per number
SMS_SENDS_PER_HOUR = 5  # per person, and sign-in codes per number
SMS_VERIFY_SENDS_PER_NUMBER_PER_HOUR = 3  # verification codes to one number, all claimants
SMS_SENDS_PER_IP_PER_HOUR = env.int("SMS_SENDS_PER_IP_PER_HOUR", default=20)

# --- Security headers ----------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

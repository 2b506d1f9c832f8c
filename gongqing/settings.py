"""Settings, all read from the environment.

Nothing set: SQLite in var/, Celery eager, DEBUG on — a checkout runs as it is.
DATABASE_URL / REDIS_URL set: PostgreSQL, a Redis broker and cache, real workers (the production shape).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-only-for-debug-mode-0123456789abcdef")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured("DEBUG is off: SECRET_KEY and ALLOWED_HOSTS must be set.") from exc
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: ALLOWED_HOSTS must not be empty.")

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "gongqing",
    "schools",
    "schools.quality",
    "schools.annotations",
    "schools.statistics",
    "indicators",
    "supervision",
    "supervision.survey",
    "supervision.reports",
    "supervision.binder",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "gongqing.middleware.NoStoreForAuthenticatedMiddleware",
    "gongqing.middleware.IdentityMiddleware",
    "gongqing.middleware.ExpiredFormMiddleware",
    "supervision.survey.middleware.SurveyOnlyMiddleware",
    # Last, so its process_exception sees a view's PermissionDenied / OutOfScope first (gongqing.refusals).
    "gongqing.refusals.RefusalAuditMiddleware",
]

ROOT_URLCONF = "gongqing.urls"
WSGI_APPLICATION = "gongqing.wsgi.application"

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
                "gongqing.context_processors.portal",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: WAL, a 20 s busy timeout and BEGIN IMMEDIATE (gongqing/db/sqlite3/base.py), so a trial
    # office's concurrent clicks wait for each other instead of failing with "database is locked".
    DATABASES["default"]["ENGINE"] = "gongqing.db.sqlite3"
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    # Tests: an in-memory database, as Django's own engine name would give (pytest-django looks for that name).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
else:
    # Keep each gunicorn/Celery process's PostgreSQL connection between requests (opening one costs several ms of
    # authentication per request); checked before reuse so a restarted server is noticed.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "gongqing.User"
# Django's model backend whose per-request `get_user` also reads the memberships and the unread notices (one query).
AUTHENTICATION_BACKENDS = ["gongqing.backends.UserBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "gongqing.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gongqing.passwords.CharacterClassValidator"},
    {"NAME": "gongqing.passwords.UsernameInPasswordValidator"},
    {"NAME": "gongqing.passwords.CommonPatternValidator"},
]
# Identity (issue 8, docs/security.md): a password older than this must be changed at the next page.
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
# Roles that must use the TOTP second factor (enrolment forced at the next login), e.g. "bureau_admin,auditor".
TOTP_REQUIRED_ROLES = env.list("TOTP_REQUIRED_ROLES", default=[])
# The key the TOTP secrets are encrypted with; empty: derived from SECRET_KEY.
TOTP_ENCRYPTION_KEY = env("TOTP_ENCRYPTION_KEY", default="")

SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Pages warn this long after the last request and offer to continue (static/js/session.js).
SESSION_IDLE_WARN_SECONDS = env.int("SESSION_IDLE_WARN_SECONDS", default=SESSION_COOKIE_AGE - 5 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Database sessions whose per-request refresh is one UPDATE (gongqing/sessions_db.py).
SESSION_ENGINE = "gongqing.sessions_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# --- Client address and messages (issue 11, docs/security.md) ---
# The proxies whose X-Forwarded-For entries are believed (gongqing/clientaddr.py): empty (default) trusts none and
# ignores the header; addresses or CIDRs, comma-separated (e.g. "127.0.0.1"); or one number N, the last N hops.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Messages are kept server-side in the session: the default cookie storage is signed, not encrypted.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"  # never routed: uploads are served only through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

SURVEY_ONLY = env.bool("SURVEY_ONLY", default=False)
SURVEY_EXPORT_KEY = env("SURVEY_EXPORT_KEY", default="")

# --- Celery: eager without a broker, real workers with REDIS_URL ---
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
# Must exceed CELERY_TASK_TIME_LIMIT (a running task's message is not handed to a second worker). A worker killed
# outright does not wait for it: the job sweep (gongqing.jobs, every minute and at worker start) takes up the jobs
# whose lease lapsed or whose holder is gone; the redelivered message later finds them done.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=960)}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "nightly-recompute": {
        "task": "indicators.tasks.recompute_all_open_years",
        "schedule": crontab(hour=2, minute=0),
    },
    "supervision-overdue-notices": {
        "task": "supervision.tasks.send_overdue_notices",
        "schedule": crontab(hour=7, minute=30),
    },
    "audit-refusal-summaries": {
        "task": "gongqing.tasks.flush_refusals",
        "schedule": 60.0,
    },
    "job-sweep": {
        "task": "gongqing.tasks.sweep_jobs",
        "schedule": 60.0,
    },
}

if REDIS_URL:
    # Redis away: pages keep answering from the database (gongqing/cache.py), connection attempts fail fast.
    CACHES = {
        "default": {
            "BACKEND": "gongqing.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST framework ---
REST_FRAMEWORK = {
    # Bearer first: a request without credentials is answered 401 with `WWW-Authenticate: Bearer`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "gongqing.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "gongqing.api.pagination.ApiPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["gongqing.api.renderers.ExactJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["gongqing.api.renderers.ExactJSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "gongqing.api.throttling.ClientRateThrottle",
        "gongqing.api.throttling.ClientWriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": env("API_READ_RATE", default="1200/minute"),
        "api_write": env("API_WRITE_RATE", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "gongqing.api.exceptions.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "共青城市义务教育优质均衡督导平台 API",
    "DESCRIPTION": "共青城市义务教育优质均衡督导平台的数据接口（v1）。",  # the served schema gives the long version
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["gongqing.api.permissions.LoggedInOrToken"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status" field; name each choice set so the schema is stable and check --deploy quiet.
    "ENUM_NAME_OVERRIDES": {"ReturnStatusEnum": "schools.models.ReturnStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "gongqing.api.schema.add_error_responses",
    ],
}

# --- Security headers ---
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
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
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Logging (issue 11): one line per event, with time, level and logger. Django's own default config (applied before
# this one) gives the "django" logger a console handler of its own; it is replaced here by propagation to the root's
# single handler, so no line is written twice. Expected client errors (4xx: a refused page, a hidden object) are one
# line naming the user, without a traceback (gongqing.logs.ClientErrorsQuiet); 5xx keep theirs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_quiet": {"()": "gongqing.logs.ClientErrorsQuiet"}},
    "formatters": {"line": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [], "filters": ["client_errors_quiet"], "propagate": True},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
if CELERY_TASK_ALWAYS_EAGER:
    # In-process tasks would print "Task … succeeded" for every recompute into commands such as seed_demo.
    LOGGING["loggers"]["celery"] = {"level": "WARNING"}

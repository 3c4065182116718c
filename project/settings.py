"""Copydesk settings, read from the environment.

Development needs nothing set: DEBUG is on, the database is an SQLite file
beside manage.py and a throwaway key signs sessions. With DEBUG off the
service refuses to start without SECRET_KEY, and the security settings are
the ones `manage.py check --deploy` asks for, each overridable from the
environment for a deployment that terminates TLS at a proxy.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Copydesk needs a secret key from the "
            "environment, e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "annotations",
    # The admin site is the desk (desk/site.py), after annotations so that its templates
    # (admin/base_site.html, admin/index.html) are found before Django's own.
    "annotations.desk.apps.DeskAdminConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "project.middleware.ChunkedRequestBodyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "project.middleware.LoginThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Serves collected static files (admin, API docs) under gunicorn; in
    # development runserver serves them from the apps.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must not hold a request for ever: connecting gives up
    # after DATABASE_CONNECT_TIMEOUT seconds, and under the web server (project/wsgi.py) each
    # statement after DATABASE_STATEMENT_TIMEOUT (exports lift it for their own transaction).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    # No JIT: every query here is short, and compiling one costs more than it saves (the desk's
    # article list sorted by score: 60 to 110 ms of JIT in a 125 ms query, BENCHMARKS.md);
    # PostgreSQL's default would compile any query whose estimate passes 100,000.
    _server_settings = ["-c jit=off"]
    if statement_timeout := os.environ.get("DATABASE_STATEMENT_TIMEOUT"):
        _server_settings.append(f"-c statement_timeout={statement_timeout}")
    _options["options"] = " ".join(_server_settings)
# Files submitted for import wait here for the import worker (process_imports).
IMPORTS_DIR = Path(os.environ.get("IMPORTS_DIR", BASE_DIR / "run" / "imports"))
# A file larger than this is queued (202) rather than imported during the request (201).
IMPORT_AT_ONCE_BYTES = int(os.environ.get("IMPORT_AT_ONCE_BYTES", str(2 * 1024 * 1024)))
# The date-window indexes carry status as a non-key column for PostgreSQL's index-only
# scans; SQLite, the embedded default, builds them without it, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# django-axes first: a username locked out from an address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "project.middleware.client_ip"
AXES_VERBOSE = False

# Trusted proxies in front of the app (nginx under make serve sets 1): client addresses
# for throttles and lockouts are then read from X-Forwarded-For.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# The throttles' counts. One process's memory in development and tests; in production a
# folder every server process shares (CACHE_DIR), as the counts must be.
if DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", str(BASE_DIR / "run" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotations.api.throttling.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["annotations.api.parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("THROTTLE_USER", "1200/minute"),
        "failed_auth": os.environ.get("THROTTLE_FAILED_AUTH", "30/minute"),
        "login": os.environ.get("THROTTLE_LOGIN", "30/minute"),
    },
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "annotations.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotations.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Copydesk API",
    "DESCRIPTION": "Articles, their annotations (claims, entities, translation artifacts), "
    "four-eyes review, and exports of approved annotations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "annotations.models.Status",
        "ChangeTypeEnum": "annotations.models.ChangeType",
    },
}

# Security: strict by default once DEBUG is off; a deployment behind a TLS
# proxy sets SECURE_PROXY_SSL_HEADER_ENABLED and may relax the redirect.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Everything goes to one console handler on the root logger. Django's own "django" logger
# has a console handler of its own (with DEBUG on) and propagates to the root too, which
# printed each of its lines twice: here it only propagates.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": [], "level": os.environ.get("LOG_LEVEL", "INFO"), "propagate": True}},
}

# The change feed and its webhooks (API.md, "Change feed", "Webhooks").
# Changes are kept this long (prune_changes, run by the webhook worker); an older cursor is 410.
CHANGES_RETENTION_DAYS = int(os.environ.get("CHANGES_RETENTION_DAYS", "30"))
# Subscribers' URLs that resolve to loopback, private or link-local addresses are refused
# (no reaching into the service's own network) unless this allows them (the demo does).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", False)
# A delivery that has not answered in this many seconds has failed.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# A subscription whose deliveries fail this long in a row is paused, its reason shown.
WEBHOOK_RETRY_HOURS = float(os.environ.get("WEBHOOK_RETRY_HOURS", "24"))

# Translation quality, MQM's linear scoring (annotations/domain/quality.py; API.md,
# "Translation quality"). Penalty points per severity (MQM's 1, 5 and 25), a weight per
# artifact type (1 unless named here; 0 leaves a type out of the score), and the score
# (100 less a tenth of the penalty points per 1,000 words) an article needs to pass: 99,
# at most 10 points per 1,000 words, is Copydesk's default (MQM leaves it to each
# publisher's specifications). JSON objects in the environment, e.g.
# MQM_TYPE_WEIGHTS='{"boilerplate": 0.5}'.
MQM_SEVERITY_WEIGHTS = json.loads(os.environ.get("MQM_SEVERITY_WEIGHTS", '{"minor": 1, "major": 5, "critical": 25}'))
MQM_TYPE_WEIGHTS = json.loads(os.environ.get("MQM_TYPE_WEIGHTS", "{}"))
MQM_PASS_THRESHOLD = float(os.environ.get("MQM_PASS_THRESHOLD", "99"))

# ClaimReview (API.md, "Claims as fact-checks"): the organisation that publishes the reviews.
CLAIMREVIEW_AUTHOR_NAME = os.environ.get("CLAIMREVIEW_AUTHOR_NAME", "Copydesk")
CLAIMREVIEW_AUTHOR_URL = os.environ.get("CLAIMREVIEW_AUTHOR_URL", "")
# Each review's `url`: the page where the fact check is published, {id} the claim's id (e.g.
# https://factcheck.example/claims/{id}); empty: the claim's address in this API.
CLAIMREVIEW_URL = os.environ.get("CLAIMREVIEW_URL", "")

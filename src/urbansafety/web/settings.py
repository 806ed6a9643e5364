"""Django settings, read once from the environment that `urbansafety serve` prepares.

- ``URBANSAFETY_WORKSPACE``: the workspace folder (its questionnaires, store and territories);
  the SQLite database lives there, in ``web/db.sqlite3``, unless ``DATABASE_URL`` is set.
- ``DATABASE_URL``: e.g. ``postgres://user:password@localhost:5432/urbansafety``.
- ``URBANSAFETY_SECRET_KEY``: required unless ``URBANSAFETY_DEBUG=1``; `serve` creates one in the
  workspace the first time.
- ``URBANSAFETY_ALLOWED_HOSTS``: comma-separated host names (default: localhost names).
- ``URBANSAFETY_HTTPS=1``: secure cookies and HSTS (behind a TLS proxy).
- ``URBANSAFETY_BEHIND_PROXY=1``: a reverse proxy sets X-Forwarded-For and X-Forwarded-Proto; the
  rate limit then keys on the address the proxy saw (the last one it appended).
- ``URBANSAFETY_RATE_LIMIT``: submissions and page posts per client, e.g. ``"20/m"`` (page posts:
  ten times as many) or ``"20/m,200/m"``; ``off`` disables it (load tests on loopback only).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE = Path(__file__).resolve().parent
WORKSPACE = Path(os.environ.get("URBANSAFETY_WORKSPACE", ".")).resolve()
DEBUG = os.environ.get("URBANSAFETY_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("URBANSAFETY_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "URBANSAFETY_SECRET_KEY is not set: start with `urbansafety serve`."
        )
    SECRET_KEY = "insecure-debug-only"

ALLOWED_HOSTS = [
    h
    for h in os.environ.get("URBANSAFETY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h
]
HTTPS = os.environ.get("URBANSAFETY_HTTPS", "") == "1"
BEHIND_PROXY = os.environ.get("URBANSAFETY_BEHIND_PROXY", "") == "1"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "urbansafety.web.surveys",
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
    "urbansafety.web.surveys.headers.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out clients
    "django.contrib.auth.backends.ModelBackend",
]
ROOT_URLCONF = "urbansafety.web.urls"
WSGI_APPLICATION = "urbansafety.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{WORKSPACE / 'web' / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Concurrent submissions wait for the write lock instead of failing at once; WAL lets pages
    # be read while a response is written; IMMEDIATE takes the write lock at BEGIN (no deadlock).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Each worker keeps its connection: opening one (and WAL clean-up at the last close) per
    # request halved the submissions a second in the load benchmark (BENCHMARKS.md).
    DATABASES["default"]["CONN_MAX_AGE"] = 600
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rate-limit counters: files under the workspace, shared by every gunicorn worker; they hold
    # salted hashes of addresses only, and expire within two minutes.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(WORKSPACE / "web" / "cache"),
        "TIMEOUT": 120,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
RATE_LIMIT = os.environ.get("URBANSAFETY_RATE_LIMIT", "20/m")

# French first; the catalog is urbansafety's own (locale/fr/LC_MESSAGES/django.mo is written from
# the same French messages as the command line's).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE.parent / "locale"]
USE_I18N = True
TIME_ZONE = "America/Montreal"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = WORKSPACE / "web" / "static"
STATICFILES_DIRS = [PACKAGE / "static"]  # survey.css, survey.js and the analyst pages' files
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serves the package's static files without collectstatic

LOGIN_URL = "analyst-login"
LOGIN_REDIRECT_URL = "analyst-home"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
# The lockout page in the analyst's language (axes' own is plain English text).
AXES_LOCKOUT_CALLABLE = "urbansafety.web.surveys.views_analyst_auth.lockout_response"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # The development server logs each request line (a resume link holds its key): errors only.
    "loggers": {"django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}

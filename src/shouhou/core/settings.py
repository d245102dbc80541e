"""Django settings, read from the environment only (see README "Configuration").

Nothing here needs editing to start: the defaults run the embedded SQLite database under
``SHOUHOU_DATA_DIR``; production sets ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``SHOUHOU_BASE_URL``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from shouhou.core.env import data_dir, env, envbool, envint, envlist, envnetworks, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

DEBUG = envbool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR)

BASE_URL = env("SHOUHOU_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ImproperlyConfigured(f"SHOUHOU_BASE_URL={BASE_URL!r} must be an http(s) URL")
HTTPS = _base.scheme == "https"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", f"{_base.hostname},localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "shouhou.core",
    "shouhou.registry",
    "shouhou.workdays",
    "shouhou.rma",
    "shouhou.faq",
    "shouhou.cases",
    "shouhou.mail",
    "shouhou.notify",
    "shouhou.reports",
    "shouhou.core.admin_site.ShouhouAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "shouhou.core.thirdparty_apps.TasksConfig",
    "csp",
    "shouhou.core.thirdparty_apps.AxesConfig",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shouhou.core.middleware.ChosenLanguageMiddleware",
    "shouhou.core.middleware.NulCharacterMiddleware",
    "shouhou.core.middleware.ApiBodyLimitMiddleware",
    "shouhou.workdays.clock.CalendarTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shouhou.core.middleware.RetryAfterMiddleware",
    "axes.middleware.AxesMiddleware",
    "shouhou.core.middleware.ShouhouErrorMiddleware",
]

ROOT_URLCONF = "shouhou.core.urls"
WSGI_APPLICATION = "shouhou.core.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shouhou.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'shouhou.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer (web + worker processes on one file);
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiles a plan once its estimated cost passes jit_above_cost: the report
    # aggregates over a vendor's year pass it and spend 150-1,300 ms compiling for 250 ms of work
    # (bench/README.md, "Reports"). Off for our connections; `?options=-c%20jit%3Don` in the URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, one-time nonces): shared by every web process --------------------------
# Redis when CACHE_URL names one (several machines); else a table in our own database (migration
# core 0004), so that two web processes on one machine count one rate-limit budget (core/cache.py).
_cache_url = env("CACHE_URL")
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url:
    raise ImproperlyConfigured(f"CACHE_URL={_cache_url!r} is not a redis:// or rediss:// URL (leave it unset "
                               "to keep the cache in the database)")
else:
    # Django's set() culls a third of the table, live counters too, past MAX_ENTRIES: keep that out of
    # reach; expired rows are removed by core/cache.py instead.
    CACHES = {"default": {"BACKEND": "shouhou.core.cache.DatabaseCache", "LOCATION": "shouhou_cache",
                          "OPTIONS": {"MAX_ENTRIES": 10_000_000}}}

# --- Tasks ----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task RUNNING this long under a worker on another host is taken as lost (core/task_recovery.py).
TASK_STALE_HOURS = envint("SHOUHOU_TASK_STALE_HOURS", 6)

# --- Auth and security ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = envint("SHOUHOU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login opens again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("SHOUHOU_LOGIN_THROTTLE", True)

# --- Behind a reverse proxy -------------------------------------------------------------------
# Addresses or networks of the proxies in front of us (comma-separated; empty: none). From them,
# the client is the rightmost untrusted address in X-Forwarded-For (core/client_ip.py); everyone
# else is taken at the connecting address. The rate limits and the login lockout key on it.
TRUSTED_PROXIES = envnetworks("SHOUHOU_TRUSTED_PROXIES")
RATELIMIT_IP_META_KEY = "shouhou.core.client_ip.client_ip"
AXES_CLIENT_IP_CALLABLE = "shouhou.core.client_ip.client_ip"

SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    # The proxy terminates TLS and says so in X-Forwarded-Proto (docs/deploy.md): plain-http requests
    # are redirected, except the health check a load balancer sends straight to the web process.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SHOUHOU_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = envint("SHOUHOU_HSTS_SECONDS", 365 * 24 * 3600)

# No inline script or style anywhere: everything is served from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# thirdparty_locale: zh_Hans for django-axes' and django-tasks-db's strings (they ship none).
# Listed after the main catalogue, which stays `makemessages`' default and the first path it
# matches for our files.
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "core" / "thirdparty_locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Tests and `serve` find static files in the package without running collectstatic first.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest import file accepted by the web upload (the CLI has no limit).
SHOUHOU_IMPORT_MAX_UPLOAD_MB = envint("SHOUHOU_IMPORT_MAX_UPLOAD_MB", 200)
# The units import checks foreign keys once per referenced row instead of once per row, with
# `session_replication_role = replica` (a superuser or a grant; docs/deploy.md §9). Off by default.
SHOUHOU_IMPORT_FK_CHECKS_ONCE = envbool("SHOUHOU_IMPORT_FK_CHECKS_ONCE", False)


# --- Email ----------------------------------------------------------------------------------
def _email_settings(url: str) -> dict[str, object]:
    """EMAIL_URL: smtp://user:pass@host:587?tls=1, smtps://… (implicit TLS), or empty.

    Without one, messages are written as files under the data dir, so a fresh install
    never tries to reach a mail server that is not there.
    """
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(DATA_DIR / "mail"),
        }
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not smtp://, smtps:// or smtp+tls://")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    ssl = parts.scheme in {"smtps", "smtp+ssl"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if ssl else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls" or query.get("tls") in {"1", "true"},
        "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
    }


globals().update(_email_settings(env("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "售后服务 <service@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Inbound mail (docs/mail.md): the mailbox `shouhou mail fetch` reads, how often `serve` polls it,
# the largest message taken, and other addresses of ours (comma-separated) whose mail is never answered.
IMAP_URL = env("IMAP_URL")
IMAP_POLL_SECONDS = envint("SHOUHOU_IMAP_POLL_SECONDS", 120)
MAIL_MAX_BYTES = envint("SHOUHOU_MAIL_MAX_KB", 25 * 1024) * 1024
MAIL_OWN_ADDRESSES = env("SHOUHOU_MAIL_OWN_ADDRESSES")
# Team addresses (docs/mail.md): a new case from mail sent to one of them is opened for that team,
# as "support@vendor.cn=support,kefu@vendor.cn=service".
TEAM_ADDRESSES = env("SHOUHOU_TEAM_ADDRESSES")
# The outbox (shouhou.notify.sender): tries before a message is marked failed, the first retry's
# delay (doubling each time, capped at 6 hours), and how long a claimed message stays with its sender.
NOTIFY_MAX_TRIES = envint("SHOUHOU_NOTIFY_MAX_TRIES", 8)
NOTIFY_RETRY_SECONDS = envint("SHOUHOU_NOTIFY_RETRY_SECONDS", 60)
NOTIFY_LEASE_SECONDS = envint("SHOUHOU_NOTIFY_LEASE_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- Public pages (warranty check, find my dealer, one code per unit) -------------------------
# Per-IP limit shared by the public pages and the public coverage API ("30/m", "100/h"; "off"
# disables it, e.g. for benchmarks behind a proxy that limits already). Counted in the shared cache
# (Redis or the database, above), one budget for every web process (registry/throttle.py).
PUBLIC_RATE = env("SHOUHOU_PUBLIC_RATE", "30/m").strip()
HOTLINE = env("SHOUHOU_HOTLINE", "400-099-7500")
# The service hours the public pages show are the working-day calendar's (weekdays, opening and
# closing time; /calendar/ settings), the ones case pickup times are computed with.

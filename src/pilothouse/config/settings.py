"""Django settings. Every operator-facing value comes from `env.load()`."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from pilothouse.config import env

CONFIG = env.load()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = CONFIG.data_dir

if CONFIG.secret_key is None:
    raise ImproperlyConfigured(
        f"No secret key: set PILOTHOUSE_SECRET_KEY or run `pilothouse init` "
        f"(it writes {DATA_DIR / env.SECRET_KEY_FILE})."
    )
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "pilothouse.core",
    "pilothouse.portfolio",
    "pilothouse.strategy",
    "pilothouse.roadmap",
    "pilothouse.people",
    "pilothouse.customers",
    "pilothouse.metrics",
    "pilothouse.prioritization",
    "pilothouse.portal",
    "pilothouse.delivery",
    "pilothouse.experiments",
    "pilothouse.scenarios",
    "pilothouse.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "pilothouse.config.urls"
WSGI_APPLICATION = "pilothouse.config.wsgi.application"

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
                "pilothouse.web.context_processors.navigation",
            ],
        },
    },
]


def _database(config: env.DatabaseConfig) -> dict:
    if config.engine == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": config.name,
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the
                # write lock at BEGIN so concurrent writers wait instead of failing.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": config.name,
        "USER": config.user,
        "PASSWORD": config.password,
        "HOST": config.host,
        "PORT": str(config.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(config.options),
    }


DATABASES = {"default": _database(CONFIG.database)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "core:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Without collectstatic (development, tests) whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
}

NINJA_PAGINATION_MAX_LIMIT = 500

# The largest file an import through the API or the web accepts.
IMPORT_MAX_UPLOAD_BYTES = CONFIG.max_upload_mb * 1024 * 1024


def _email(config: env.EmailConfig) -> dict:
    """Django's email settings. Without an SMTP server every message is written as a file
    into the outbox folder, so an operator can read what would have been sent."""
    common = {"DEFAULT_FROM_EMAIL": config.from_address, "SERVER_EMAIL": config.from_address}
    if config.backend == "file":
        return {
            **common,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(config.file_path),
        }
    return {
        **common,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": config.host,
        "EMAIL_PORT": config.port,
        "EMAIL_HOST_USER": config.user,
        "EMAIL_HOST_PASSWORD": config.password,
        "EMAIL_USE_TLS": config.use_tls,
        "EMAIL_USE_SSL": config.use_ssl,
        "EMAIL_TIMEOUT": config.timeout,
    }


# EMAIL_BACKEND, EMAIL_HOST and the rest, DEFAULT_FROM_EMAIL and SERVER_EMAIL:
globals().update(_email(CONFIG.email))

# How many proxies stand in front of the server: the client's address is then read from
# X-Forwarded-For that many hops from the right (see core.clients), and the scheme
# from X-Forwarded-Proto, so links in emails say https when TLS ends at the proxy.
# With none, both headers are ignored: a client could write anything in them.
TRUSTED_PROXIES = CONFIG.trusted_proxies
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work (retraining, imports, syncs) is queued in the database and run by
# `pilothouse worker`; no broker to operate.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Called by the worker every few minutes; each decides whether work is due (core.schedules).
SCHEDULED_JOBS = [
    "pilothouse.roadmap.snapshots.monthly_snapshot_take",
    "pilothouse.metrics.sync.metrics_sync_due",
]

"""Django settings, derived from the declared environment (see yiwang.config)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from yiwang import config

CFG = config.read_all()
ENV = CFG["ENV"]
PRODUCTION = ENV == "production"
BASE_DIR = config.BASE_DIR
VAR_DIR = Path(CFG["VAR_DIR"])

if PRODUCTION:
    _problems = config.check_production(CFG)
    if _problems:
        raise config.ConfigError("；".join(_problems))
    SECRET_KEY = CFG["SECRET_KEY"]
else:
    SECRET_KEY = CFG["SECRET_KEY"] or "dev-only-not-secret-" + "x" * 40

DEBUG = CFG["DEBUG"] and not PRODUCTION
ALLOWED_HOSTS = CFG["ALLOWED_HOSTS"] + (["testserver"] if ENV == "test" else [])
ALLOW_TEST_REGION = CFG["ALLOW_TEST_REGION"] and not PRODUCTION

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "yiwang.core",
    "yiwang.catalog",
    "yiwang.registry",
    "yiwang.exchange",
    "yiwang.services",
    "yiwang.cases",
    "yiwang.supervision",
    "yiwang.reviews",
    "yiwang.licences",
    "yiwang.portal",
    "yiwang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.RequestIdMiddleware",
    "yiwang.core.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Department systems' calls to the shared-data gateway (API key, no cookies) take a lean stack
# of their own in `yiwang.wsgi`: none of the page middleware above applies to them.
MACHINE_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",  # Content-Length, for keep-alive clients
    "yiwang.core.middleware.RequestIdMiddleware",
    "yiwang.core.middleware.RejectNulMiddleware",
    "yiwang.core.middleware.MachineCallMiddleware",
]
MACHINE_PATH_PREFIXES = [
    "/api/v1/exchange/resources/",  # the shared-data gateway (API key)
    "/api/v1/licences/verify",  # licence verification, public (QR scanners, other systems)
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"
ASGI_APPLICATION = "yiwang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "yiwang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    }
]


def _database() -> dict:
    url = CFG["DATABASE_URL"]
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        db.setdefault("TEST", {})
        if db["ENGINE"] == "django.db.backends.postgresql":
            # Only the statements `core.hotsql` asks for are prepared (Django's default, None,
            # would refuse even those); nothing is prepared for having merely run often.
            db.setdefault("OPTIONS", {}).setdefault("prepare_threshold", 2**31 - 1)
        elif db["ENGINE"] == "django.db.backends.sqlite3":
            db["OPTIONS"] = {**SQLITE_OPTIONS, **db.get("OPTIONS", {})}  # a file named by URL too
        return db
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "yiwang.sqlite3",
        "OPTIONS": dict(SQLITE_OPTIONS),
    }


# Readers beside one writer (WAL), a writer waiting its turn instead of failing at once, and a
# transaction taking the write lock when it begins, so that it never fails half-way to upgrade.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
    "transaction_mode": "IMMEDIATE",
}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

AXES_FAILURE_LIMIT = CFG["LOGIN_FAILURE_LIMIT"]
AXES_COOLOFF_TIME = CFG["LOGIN_COOLOFF_MINUTES"] / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind the TLS proxy every request comes from 127.0.0.1: take the client from X-Forwarded-For.
PROXY_COUNT = CFG["PROXY_COUNT"]
AXES_CLIENT_IP_CALLABLE = "yiwang.core.middleware.client_ip"

# One language: every page is in Chinese, whatever the browser asks for (Yiwang's own text has
# no translations, and Django's own — the admin, form errors — must not switch to English).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = CFG["TIME_ZONE"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "media"},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if ENV == "test"
        else CFG["TASK_BACKEND"],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security: cookies, CSP, framing. Production sits behind a TLS-terminating proxy.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "yiwang.core.error_pages.csrf_failure"  # a Chinese page, not Django's
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Gateway and GovStack paths carry record keys (身份号码): masked before any handler sees them.
    "filters": {"mask_keys": {"()": "yiwang.logmask.MaskKeysFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_keys"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO" if not DEBUG else "DEBUG"},
    "loggers": {
        "django.request": {"filters": ["mask_keys"]},
        "django.server": {"handlers": ["console"], "filters": ["mask_keys"], "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "jieba": {"level": "WARNING"},
        "spiff": {"level": "WARNING"},
    },
}

# Yiwang's own knobs.
YIWANG = CFG
API_KEY_DAYS = CFG["API_KEY_DAYS"]
AUDIT_SEAL_BATCH = CFG["AUDIT_SEAL_BATCH"]
REGISTRY_MAX_UPLOAD_BYTES = CFG["MAX_UPLOAD_MB"] * 1024 * 1024
REGISTRY_API_BATCH_ROWS = CFG["API_BATCH_ROWS"]
GOVSTACK_PREFIX = (
    "/" + CFG["GOVSTACK_PREFIX"].strip("/") + ("/" if CFG["GOVSTACK_PREFIX"].strip("/") else "")
)
GOVSTACK_INSTANCE = CFG["GOVSTACK_INSTANCE"]
GOVSTACK_USAGE_CLIENTS = CFG["GOVSTACK_USAGE_CLIENTS"]
# 主体摘要密钥: without a dedicated key, SECRET_KEY is the key — as it was before the setting
# existed, so that installations upgrading keep matching the history they have.
SUBJECT_HASH_KEY = CFG["SUBJECT_HASH_KEY"] or SECRET_KEY
SUBJECT_HASH_PREVIOUS_KEYS = CFG["SUBJECT_HASH_PREVIOUS_KEYS"]


DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024 * 1024  # API batches of JSON rows
FILE_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024  # larger uploads stream to a temporary file

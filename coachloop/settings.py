"""Coachloop settings: one module, driven by environment variables, with safe embedded defaults.

Embedded mode (no variables set): SQLite under var/, a secret key generated once into var/,
console email, the database task backend. Production: set DATABASE_URL, SECRET_KEY, DEBUG=false,
HTTPS=true, ALLOWED_HOSTS and EMAIL_URL (see docs/deployment.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("COACHLOOP_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()
TESTING = env.bool("COACHLOOP_TESTING", default=False)


def _secret_key() -> str:
    """SECRET_KEY or SECRET_KEY_FILE; else a key generated once and kept in var/secret_key."""
    if key := env.str("SECRET_KEY", default=""):
        return key
    if path := env.str("SECRET_KEY_FILE", default=""):
        return Path(path).read_text().strip()
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
HTTPS = env.bool("HTTPS", default=False)  # served behind TLS: secure cookies, HSTS, redirects
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env.str("SITE_NAME", default="Coachloop")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.microsoft",
    "allauth.mfa",
    "django_tasks_db",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "coachloop.accounts",
    "coachloop.organisations",
    "coachloop.access",
    "coachloop.playbooks",
    "coachloop.engagements",
    "coachloop.plans",
    "coachloop.rubrics",
    "coachloop.meetings",
    "coachloop.actionsteps",
    "coachloop.observations",
    "coachloop.feedback",
    "coachloop.peer",
    "coachloop.surveys",
    "coachloop.improvement",
    "coachloop.messaging",
    "coachloop.coaches",
    "coachloop.notifications",
    "coachloop.cadence",
    "coachloop.portfolios",
    "coachloop.dashboard",
    "coachloop.api",
    "coachloop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coachloop.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coachloop.accounts.middleware.RequireSecondFactorMiddleware",
]

ROOT_URLCONF = "coachloop.urls"
WSGI_APPLICATION = "coachloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coachloop" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coachloop.dashboard.context_processors.navigation",
                "coachloop.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite: WAL journal, synchronous=FULL (durable commits) and IMMEDIATE write transactions, so
# concurrent writers queue instead of failing half-way.
_sqlite_default = f"sqlite:///{VAR_DIR / 'coachloop.sqlite3'}"
DATABASES = {"default": env.db_url("DATABASE_URL", default=_sqlite_default)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env.str("COACHLOOP_TEST_DB", default="") or None}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://coachloop")}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    # room for every calendar entry of a busy server's feeds (meetings.calendar keeps each
    # meeting's built entry), not Django's default of 300 keys
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 50_000)

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "coachloop.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # people are added by administrators or the roster import
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 3600)
# Failed sign-ins: 5 per 5 minutes for one email, 20 a minute from one address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="20/m/ip,5/5m/key"),
    "login": env.str("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "reset_password": "20/m/ip,5/5m/key",
}
SOCIALACCOUNT_ADAPTER = "coachloop.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {}
if env.str("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env.str("GOOGLE_CLIENT_ID"), "secret": env.str("GOOGLE_SECRET")}],
        "SCOPE": ["profile", "email"],
    }
if env.str("MICROSOFT_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        "APPS": [
            {
                "client_id": env.str("MICROSOFT_CLIENT_ID"),
                "secret": env.str("MICROSOFT_SECRET"),
                "settings": {"tenant": env.str("MICROSOFT_TENANT", default="organizations")},
            }
        ],
    }
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# Roles whose holders must have a second factor; an organisation can require it of everyone.
COACHLOOP_MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=["programme_admin", "coach", "school_leader", "district_rep"]
)

# --- Sessions and cookies -----------------------------------------------------------------------
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
if HTTPS:
    # __Host- cookies are only accepted over HTTPS, for path "/" and without a Domain attribute.
    SESSION_COOKIE_NAME = "__Host-coachloop-session"
    CSRF_COOKIE_NAME = "__Host-coachloop-csrf"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
else:
    SESSION_COOKIE_NAME = "coachloop-session"
    CSRF_COOKIE_NAME = "coachloop-csrf"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline scripts or styles, nothing from other hosts.
_form_action: list[str] = [CSP.SELF]
if "google" in SOCIALACCOUNT_PROVIDERS:
    _form_action.append("https://accounts.google.com")
if "microsoft" in SOCIALACCOUNT_PROVIDERS:
    _form_action.append("https://login.microsoftonline.com")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": _form_action,
    "frame-ancestors": [CSP.NONE],
}

# --- Uploads ------------------------------------------------------------------------------------
COACHLOOP_MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Email and tasks ----------------------------------------------------------------------------


def _mailer(url_var: str) -> dict[str, object]:
    """EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://, filemail:///path) as one
    entry of Django 6.1's MAILERS setting."""
    cfg = env.email_url(url_var, default="consolemail://")
    options = {
        "host": cfg.get("EMAIL_HOST"),
        "port": cfg.get("EMAIL_PORT"),
        "username": cfg.get("EMAIL_HOST_USER"),
        "password": cfg.get("EMAIL_HOST_PASSWORD"),
        "use_tls": cfg.get("EMAIL_USE_TLS"),
        "use_ssl": cfg.get("EMAIL_USE_SSL"),
        "file_path": cfg.get("EMAIL_FILE_PATH"),
    }
    return {
        "BACKEND": cfg["EMAIL_BACKEND"],
        "OPTIONS": {k: v for k, v in options.items() if v not in (None, "")},
    }


MAILERS = {"default": _mailer("EMAIL_URL")}
# The address people reach Coachloop at, for links in notifications.
COACHLOOP_SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coachloop <no-reply@coachloop.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TASKS = {
    "default": {
        "BACKEND": env.str("TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# --- Internationalisation, static files ---------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "coachloop" / "static",
    # Front-end packages are installed by npm (package-lock.json) and served from node_modules.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
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
MEDIA_ROOT = VAR_DIR / "uploads"  # outside the web root; files are served by views, as attachments

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    WHITENOISE_AUTOREFRESH = True

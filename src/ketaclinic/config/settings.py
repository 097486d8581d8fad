"""Django settings for ketaclinic, read from the environment (see docs/operations.md)."""

import os
import secrets
from pathlib import Path

import dj_database_url

SRC_DIR = Path(__file__).resolve().parents[2]
PROJECT_DIR = SRC_DIR.parent
VAR_DIR = Path(os.environ.get("KETACLINIC_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in var/."""
    if key := os.environ.get("KETACLINIC_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Create with owner-only permissions; never overwrite an existing key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("KETACLINIC_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("KETACLINIC_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("KETACLINIC_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "axes",
    # Two-factor sign-in: TOTP authenticators and one-time recovery codes (accounts.mfa).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "ketaclinic.core",
    "ketaclinic.accounts",
    "ketaclinic.audit",
    "ketaclinic.patients",
    "ketaclinic.measures",
    "ketaclinic.intake",
    "ketaclinic.protocols",
    "ketaclinic.treatments",
    "ketaclinic.inventory",
    "ketaclinic.outcomes",
    "ketaclinic.billing",
    "ketaclinic.authorizations",
    "ketaclinic.access",
    "ketaclinic.pdmp",
    "ketaclinic.pharmacokinetics",
    "ketaclinic.capacity",
    "ketaclinic.network",
    "ketaclinic.web",
    # The root: management commands that drive several apps (seed_demo, create_clinic).
    "ketaclinic.config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so that static files keep their own caching headers.
    "ketaclinic.core.middleware.SecurityHeadersMiddleware",
    # Compresses what Django renders (pages, API answers) for clients that accept gzip,
    # before any middleware below reads or writes the body. Static files never reach it:
    # WhiteNoise answered them above, so images and fonts are not compressed twice. BREACH:
    # Django pads every gzip answer with 0-100 random bytes and masks the CSRF token anew
    # in each answer (docs/performance.md, "Compressed pages").
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Confines a session to the two-factor and password-change steps until they are done.
    "ketaclinic.accounts.middleware.AccountSecurityMiddleware",
    # Scopes the request to the clinic chosen in the clinic switcher (before the time zone).
    "ketaclinic.accounts.middleware.ActiveClinicMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketaclinic.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketaclinic.config.urls"
WSGI_APPLICATION = "ketaclinic.config.wsgi.application"

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
                "ketaclinic.web.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL, else the SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ketaclinic.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse each connection for a while (the server's threads are long-lived) and check it
    # before reuse, so a restarted database costs one failed check, not a failed request.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("KETACLINIC_DB_CONN_MAX_AGE", "60"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers serialize
    # instead of failing half-way (SQLite has no row locks). WAL lets readers continue.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
if suffix := os.environ.get("KETACLINIC_TEST_DB_SUFFIX"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_ketaclinic_{suffix}"}
# A read replica (a logical-replication subscriber of the outcome fact tables, docs/deploy.md):
# reads of the outcomes app's tables go there, every other read and every write to "default".
if replica_url := os.environ.get("KETACLINIC_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(replica_url)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
        DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Tests read the replica through a second connection to the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ketaclinic.core.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after 5 failed logins (django-axes), per username and IP.
AXES_FAILURE_LIMIT = int(os.environ.get("KETACLINIC_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("KETACLINIC_LOCKOUT_HOURS", "1"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Two-factor sign-in: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "ketaclinic"
# API tokens expire after this many days (a token may be given a shorter life).
TOKEN_DAYS = int(os.environ.get("KETACLINIC_TOKEN_DAYS", "90"))

# Idle session expiry: every request pushes the expiry forward.
SESSION_IDLE_MINUTES = int(os.environ.get("KETACLINIC_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Security headers always; TLS-only cookies and redirects whenever debug is off,
# unless the operator says the site is served over plain HTTP (the loopback demo).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PLAIN_HTTP = _env_bool("KETACLINIC_PLAIN_HTTP")
if not DEBUG and not PLAIN_HTTP:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("KETACLINIC_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("KETACLINIC_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
# Behind a reverse proxy that sets X-Forwarded-For, the audit log records the client's
# address from it (only turn this on when the proxy is the only way in).
TRUST_X_FORWARDED_FOR = _env_bool("KETACLINIC_TRUST_X_FORWARDED_FOR")

# Content-Security-Policy on every response Django renders (core.middleware): scripts and
# stylesheets only from this site, no inline script and no inline style (elements or
# attributes: pages use CSS classes). See docs/decisions/0012-security-headers.md.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

LANGUAGE_CODE = "en-us"
# A patient's self-report pages come in the patient's language (the public views activate it:
# no LocaleMiddleware, so staff pages stay English whatever the browser asks for).
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve app static files straight from the apps (no collectstatic step for the demo).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ketaclinic",
    }
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KETACLINIC_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

EMAIL_BACKEND = os.environ.get(
    "KETACLINIC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("KETACLINIC_FROM_EMAIL", "ketaclinic@localhost")
# Seconds an SMTP server may take to answer before a send fails (and the caller says so).
EMAIL_TIMEOUT = int(os.environ.get("KETACLINIC_EMAIL_TIMEOUT", "30"))

# Public base URL used in links sent to patients (self-report links).
PUBLIC_BASE_URL = os.environ.get("KETACLINIC_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Lifetime of patient self-report links (issue 3 default: 72 hours).
MEASURE_REQUEST_EXPIRY_HOURS = int(os.environ.get("KETACLINIC_MEASURE_LINK_HOURS", "72"))
# Largest FHIR referral Bundle the import reads, in MB (intake; see docs/intake.md).
KETACLINIC_FHIR_MAX_BUNDLE_MB = float(os.environ.get("KETACLINIC_FHIR_MAX_BUNDLE_MB", "20"))

# Self-report link tokens are secrets: the loggers that write request paths, and the console,
# take them out of each message (core/logs.py).
_LINK_TOKENS = ["link_tokens"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"link_tokens": {"()": "ketaclinic.core.logs.LinkTokenFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": _LINK_TOKENS},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": _LINK_TOKENS,
        },
    },
    "loggers": {
        "django.request": {"filters": _LINK_TOKENS},
        "django.security.csrf": {"filters": _LINK_TOKENS},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KETACLINIC_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 25

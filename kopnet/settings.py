"""KopNet settings: one module, every deployment knob from the environment.

Development works with no environment at all (SQLite, DEBUG on, console email).
Production sets DEBUG=0 and must then provide SECRET_KEY; see README.md.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_rate(name, default):
    """A rate limit from the environment as (requests, seconds): "5/h" is 5 an hour
    (s, m, h, d: a second, minute, hour, day; "5/10m" is 5 in ten minutes); "0" or
    "off" is no limit (None)."""
    value = (os.environ.get(name) or default).strip().lower()
    if value in ("0", "off"):
        return None
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    count, _, period = value.partition("/")
    multiple, unit = period[:-1] or "1", period[-1:]
    if not (count.isdigit() and int(count) > 0 and multiple.isdigit() and int(multiple) > 0 and unit in units):
        raise ImproperlyConfigured(f"{name} must be a rate such as 5/h or 120/m (or 0 for none), not {value!r}.")
    return int(count), int(multiple) * units[unit]


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: export SECRET_KEY to a long random "
            "string, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "django-insecure-development-only-kopnet-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin on KopNet's site, which asks staff for their second factor (kopnet/admin_site.py).
    "kopnet.apps.KopnetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Its templates only: kopnet/sitemaps.py has its own views, on SITE_URL.
    "django.contrib.sitemaps",
    "django_filters",
    "django_countries",
    "simple_history",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "kopnet",
    "registry",
    "partnerships",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kopnet.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that answers: a preflight (OPTIONS) gets its CORS answer.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kopnet.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in (kopnet.clients.locked_out).
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp) on every answer: scripts, styles, fonts and
# pictures only from KopNet itself (pictures also as data: URLs, which Bootstrap's
# and the admin's icons use), no plugins, no framing, forms only back to KopNet. No
# page has an inline script or style: data travels in json_script blocks, and every
# style sits in static/css. A document download narrows it to a sandbox (its view).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Sign-in failures (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# account, or from one address, signing in is paused for AXES_COOLOFF_TIME, on the
# site's sign-in page and the admin's. 10 leaves room for a person's typos and lets a
# guesser try some 480 passwords a day; 30 minutes is felt by a person, not a bot.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "kopnet.clients.locked_out"
AXES_CLIENT_IP_CALLABLE = "kopnet.clients.client_address"
AXES_RESET_ON_SUCCESS = False
# Second factor (django-otp, TOTP) for staff accounts, set up at /akun/dua-faktor/
# (kopnet/two_factor.py). A staff account with one always gives its code on the
# sign-in page (/akun/masuk/, where /admin/login/ sends); KOPNET_ADMIN_2FA=1 makes the admin require one of every staff account.
# Off by default so that development and the demo accounts sign in with a password.
KOPNET_ADMIN_2FA = env_bool("KOPNET_ADMIN_2FA", False)
# Whether the environment chose it: check --deploy warns of the default in production (kopnet/checks.py).
KOPNET_ADMIN_2FA_FROM_ENVIRONMENT = os.environ.get("KOPNET_ADMIN_2FA", "") != ""
OTP_TOTP_ISSUER = "KopNet"
# The admin never shows a device's secret or its QR code again once it is made.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Proxies in front that set X-Forwarded-For (deploy/nginx: 1); 0 reads the
# connection's address and ignores the header (kopnet.clients.client_address).
KOPNET_TRUSTED_PROXIES = int(os.environ.get("KOPNET_TRUSTED_PROXIES", "0"))
# Rate limits per client address on what costs (kopnet/ratelimits.py): a request over
# the limit answers 429 with Retry-After. A sign-up and a password reset each send an
# email (to anyone's address); the pickers' search runs a name search for each
# keystroke; a visitor's CSV is a whole list. A person never reaches these numbers.
# KOPNET_RATE_LIMITS=0 counts and logs, but refuses nothing (to watch before enforcing).
KOPNET_RATE_LIMITS = env_bool("KOPNET_RATE_LIMITS", True)
KOPNET_RATE_SIGNUP = env_rate("KOPNET_RATE_SIGNUP", "5/h")
# Per address and per email address asked for.
KOPNET_RATE_PASSWORD_RESET = env_rate("KOPNET_RATE_PASSWORD_RESET", "5/h")
KOPNET_RATE_ORGANISATION_SEARCH = env_rate("KOPNET_RATE_ORGANISATION_SEARCH", "120/m")
# Signed-out downloads only: signed-in people are not limited.
KOPNET_RATE_EXPORT = env_rate("KOPNET_RATE_EXPORT", "30/h")

# The API (/api/v1/, the `api` app): rate limits as above, per client address when
# signed out and per person with a token (README, "The API").
KOPNET_API_RATE_ANON = env_rate("KOPNET_API_RATE_ANON", "120/m")
KOPNET_API_RATE_USER = env_rate("KOPNET_API_RATE_USER", "1200/m")
# The changes feed (/api/v1/changes/) gives a change once it is this old: a transaction
# that saved earlier but committed later would otherwise land behind a cursor given out.
KOPNET_CHANGES_SETTLE_SECONDS = int(os.environ.get("KOPNET_CHANGES_SETTLE_SECONDS", "30"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.TokenScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientThrottle"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    # `format` belongs to the pages' filters (format=csv): the API answers JSON.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KopNet API",
    "DESCRIPTION": (
        "The registry of Indonesian cooperatives, their partners and the partnerships between them: "
        "the verified records, with the filters of the pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own host (drf-spectacular-sidecar): no page loads from another.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name a choice set, where two models' fields share a name (status, role).
    "ENUM_NAME_OVERRIDES": {
        "PartnershipStatusEnum": "partnerships.models.PartnershipStatus",
        "CooperativeStatusEnum": "registry.models.CooperativeStatus",
        "PartyRoleEnum": "partnerships.models.PartyRole",
    },
}
# Any site may read the API from a browser, without the reader's cookies.
CORS_URLS_REGEX = r"^/api/.*$"
# Where a client's Accept-Language chooses the language (kopnet.middleware.LanguageMiddleware).
KOPNET_ACCEPT_LANGUAGE_PATHS = ["/api/"]
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

ROOT_URLCONF = "kopnet.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kopnet.context_processors.accounts",
            ],
        },
    },
]

WSGI_APPLICATION = "kopnet.wsgi.application"

# Database: a SQLite file unless DATABASE_URL says otherwise. PostgreSQL keeps its
# connections open (CONN_MAX_AGE): reconnecting per request cost more than half of a
# detail page's throughput on the benchmark machine.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The registry's working set fits in memory: an index lookup costs about what a
    # sequential read does, not PostgreSQL's default 4x (made for spinning disks).
    # With 4, the page of an organisation with thousands of partnerships scanned all
    # 500,000 of them (187 ms) instead of following its parties (55 ms). JIT
    # compilation cost the statistics' queries 0.3-0.5 s each and saves nothing on
    # queries this short.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')} -c jit=off"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Bahasa Indonesia by default, English on request.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
# The site's messages, then the country names django-countries lacks in Indonesian
# (written by `manage.py countrynames`).
LOCALE_PATHS = [BASE_DIR / "kopnet" / "locale", BASE_DIR / "kopnet" / "locale_countries"]
# One date style per language, the same on every page and in the admin.
FORMAT_MODULE_PATH = "kopnet.formats"
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "kopnet" / "site_root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# The open data snapshots (`manage.py export_open_data`, listed at /data/): beside the
# media rather than in them, so that backups (which copy MEDIA_ROOT) do not carry
# what the database makes again; the last KOPNET_OPEN_DATA_KEEP are kept.
KOPNET_OPEN_DATA_DIR = Path(os.environ.get("KOPNET_OPEN_DATA_DIR", BASE_DIR / "open-data"))
KOPNET_OPEN_DATA_KEEP = int(os.environ.get("KOPNET_OPEN_DATA_KEEP", "14"))

# Every email is queued in the database (kopnet/mail.py) and delivered by the worker
# `manage.py send_queued_mail --loop` through EMAIL_DELIVERY_BACKEND, which the
# environment's EMAIL_BACKEND names (SMTP in production; with DEBUG off a console or
# locmem backend must be asked for explicitly, kopnet/checks.py).
EMAIL_BACKEND = "kopnet.mail.QueueBackend"
EMAIL_DELIVERY_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Whether the environment chose it: check --deploy refuses the default in production (kopnet/checks.py).
EMAIL_BACKEND_FROM_ENVIRONMENT = "EMAIL_BACKEND" in os.environ
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KopNet <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "login"
# The official's home (their dashboard): where signing in leads, and where every
# page links or returns to as "Dashboard" (the context's dashboard_url), so that
# registry's pages need not name the partnerships app that serves it.
LOGIN_REDIRECT_URL = "partnerships:dashboard"
LOGOUT_REDIRECT_URL = "home"

# Uploads (kopnet/uploads.py): a file stops being read past an agreement document's
# limit (partnerships.validators.MAX_DOCUMENT_SIZE, 10 MB), a request past ten of them.
# The proxy in front has the same limits (deploy/nginx).
FILE_UPLOAD_HANDLERS = [
    "kopnet.uploads.BoundedMemoryFileUploadHandler",
    "kopnet.uploads.BoundedTemporaryFileUploadHandler",
]
KOPNET_UPLOAD_MAX_FILE_BYTES = 10 * 1024 * 1024
KOPNET_UPLOAD_MAX_BODY_BYTES = 10 * KOPNET_UPLOAD_MAX_FILE_BYTES + 1024 * 1024
# Form fields without files: Django's default, said here (2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The language switch's cookie: no script reads it, and no other site sends it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# The address the site is reached at, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where people write to the people behind KopNet (the About page and every page's footer).
KOPNET_CONTACT_EMAIL = os.environ.get("KOPNET_CONTACT_EMAIL", "kontak@kopnet.example.org")

# How long the link that proves a new account's address stays good (seconds).
EMAIL_VERIFY_MAX_AGE = 3 * 24 * 3600

# Production hardening; `manage.py check --deploy` is clean when DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# django-countries: country names follow the active language.
COUNTRIES_FIRST = ["ID"]
COUNTRIES_FIRST_REPEAT = False

# django-import-export: curators import with the "add" and export with the "view"
# permission of the model; every import runs in one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Rows per page on every public list.
KOPNET_PAGE_SIZE = 50

# Visitors' pages and list counts are cached under the data version (kopnet/cache.py),
# so that no entry outlives a write. By default the entries live in a table of the
# database (created by kopnet's migration 0002): every worker of every app server
# shares them, so a page is rendered once per data version, not once per process.
# KOPNET_CACHE=memory keeps them in each process instead (also correct, thanks to
# the version; more misses). A Redis or memcached backend can be set here as well.
KOPNET_PAGE_CACHE = env_bool("KOPNET_PAGE_CACHE", True)
# PostgreSQL plans the profiles' hand-written queries once per connection (kopnet.db):
# 0 behind a pooler that shares sessions between clients (PgBouncer in transaction mode).
KOPNET_PREPARED_QUERIES = env_bool("KOPNET_PREPARED_QUERIES", True)
KOPNET_CACHE = os.environ.get("KOPNET_CACHE", "database")
if KOPNET_CACHE not in ("database", "memory"):
    raise ImproperlyConfigured(f"KOPNET_CACHE must be 'database' or 'memory', not {KOPNET_CACHE!r}.")
CACHES = {
    "default": {
        # Django's database cache, with a write of one statement (kopnet/cache_backend.py).
        "BACKEND": "kopnet.cache_backend.DatabaseCache"
        if KOPNET_CACHE == "database"
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kopnet_cache" if KOPNET_CACHE == "database" else "kopnet",
        "TIMEOUT": 24 * 3600,
        # A national registry's pages (profiles in two languages) need tens of
        # thousands of entries; our backend counts the table only now and then.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("KOPNET_CACHE_ENTRIES", "50000"))},
    }
}
if KOPNET_CACHE == "database":
    # The most used entries also in each process's memory, in front of the table:
    # a hit then costs no round trip (entries are still keyed by the data version).
    CACHES["local"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kopnet-local",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("KOPNET_LOCAL_CACHE_ENTRIES", "2000"))},
    }

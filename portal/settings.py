"""The portal's one settings module, read from the environment.

With nothing set it runs on an embedded default (SQLite, Celery tasks run eagerly in process,
console email, DEBUG on, a development secret). Production sets DEBUG=False and must then
provide SECRET_KEY and ALLOWED_HOSTS; see .env.example for every variable.

What reads nothing from the environment sits with what it configures: security headers
(headers.py), logging (logs.py), the API (rest.py), Celery's policy and schedule (celery.py).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from portal import headers, logs, rest

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-secret-key-do-not-use-in-production-0123456789")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not SECRET_KEY or not ALLOWED_HOSTS:
        raise ImproperlyConfigured("With DEBUG=False, SECRET_KEY and ALLOWED_HOSTS must be set.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")  # links in emails

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "dbbackup",
    "django_guid",
    "django_prometheus",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "projects",
    "matching",
    "portal",  # its commands: backup, restore
]

MIDDLEWARE = [
    "portal.health.Alive",  # /healthz, before anything can refuse it
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",  # a request id on every log line, and its tasks'
    "django.middleware.security.SecurityMiddleware",
    "accounts.client.RememberClientAddress",  # for the audit records the request writes
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a second factor given
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.input.RefuseControlCharacters",
    "accounts.sessions.SessionTimeouts",
    "accounts.two_factor.RequireTwoFactor",  # after the timeouts: an expired session signs in again
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",  # RATELIMIT_VIEW answers a limited page
    "axes.middleware.AxesMiddleware",  # it answers the sign-ins it has locked out
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

if not DEBUG:  # production serves static files itself; runserver does in development
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# Widgets render through the project's templates: an empty choice reads 请选择 (select_option.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "accounts.context_processors.inbox",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# A persistent connection is checked before a request reuses it: after a database restart the
# portal reconnects by itself (a request that meets the restart gets portal.errors' 503).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default under concurrent writers: WAL lets readers go on while one writes,
    # a writer takes the lock when its transaction begins (no deadlocked upgrade from a read),
    # and waits up to 20 s for it rather than failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Sign-in protection (django-axes, see accounts/lockout.py): 5 failures for one account from one
# address lock that pair for 15 minutes on every sign-in (pages, admin, API token).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_address"
RATELIMIT_IP_META_KEY = "accounts.client.client_address"
# Pages whose every POST costs an email or an account (django-ratelimit, per address and, for a
# password reset, per email address too); a limited request gets RATELIMIT_VIEW's 429.
RATELIMIT_VIEW = "accounts.views.rate_limited"
RATE_REGISTER = env("RATE_REGISTER", default="10/h")
RATE_PASSWORD_RESET = env("RATE_PASSWORD_RESET", default="5/h")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "matching:workbench"  # 我的工作台, every role's first page
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}Validator"}
    for name in ("UserAttributeSimilarity", "MinimumLength", "CommonPassword", "NumericPassword")
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
FORMAT_MODULE_PATH = ["portal.formats"]  # 2027年4月30日, 30 April 2027
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The outbox (accounts/outbox.py): how long a sender holds an email it is sending; one that died
# holding it is sent again after this. Longer than a send task may run (CELERY_TASK_TIME_LIMIT;
# accounts/checks.py refuses less), so no second sender takes an email still being sent.
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=600))

# Backups (portal/backups.py, `make backup` / `make restore`): django-dbbackup into BACKUP_DIR.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "backups")))
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
DBBACKUP_CONNECTOR_MAPPING = {"django.db.backends.sqlite3": "portal.backups.SqliteOnlineConnector"}
DBBACKUP_SEND_EMAIL = False

# Email: console by default; production sets EMAIL_URL (smtp+tls://user:pass@host:587).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG["EMAIL_HOST"] or "localhost"
EMAIL_PORT = EMAIL_CONFIG["EMAIL_PORT"] or 25
EMAIL_HOST_USER = EMAIL_CONFIG["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = EMAIL_CONFIG["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = EMAIL_CONFIG["EMAIL_FILE_PATH"]  # filemail://'s folder (the tests' workers)
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="人工智能领域供需对接就业育人项目平台 <noreply@ai-match.example.cn>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds one mail server operation may take (connecting, each command): one that stops
# answering fails the send, which is retried, rather than holding the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Security: secure by default when DEBUG is off. X-Forwarded-Proto is believed only when the
# portal sits behind a proxy of ours that sets it (any client could send it otherwise); compose
# publishes gunicorn on localhost only, for that proxy.
BEHIND_TRUSTED_PROXY = env.bool("BEHIND_TRUSTED_PROXY", default=False)
if BEHIND_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
# Session timeouts (accounts/sessions.py): idle, idle for ministry staff, and from sign-in.
SESSION_IDLE = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=120))
SESSION_IDLE_MINISTRY = timedelta(minutes=env.int("SESSION_IDLE_MINISTRY_MINUTES", default=30))
SESSION_ABSOLUTE = timedelta(hours=12)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE.total_seconds())
# Two-factor sign-in for ministry staff (accounts/two_factor.py): an authenticator app's
# time-based codes (django-otp), with one-use recovery codes.
OTP_TOTP_ISSUER = "AI Project Matching Portal"
# API tokens (django-rest-knox): stored hashed, revocable, expiring after API_TOKEN_DAYS.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=7)),
    "AUTH_HEADER_PREFIX": "Token",
}
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = headers.CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = headers.PERMISSIONS_POLICY

# Redis, when REDIS_URL is set, is Celery's broker and the cache shared by every process.
REDIS_URL = env("REDIS_URL", default="")


# Redis down is a cache miss, logged, never an error (django-redis): pages and the API read
# from the database meanwhile, a second at most spent finding Redis away.
def shared_cache(url: str) -> dict:
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
    }


CACHES = {
    "default": shared_cache(REDIS_URL)
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Rate limits kept in that cache lapse while it is away, rather than refusing everyone
# (sign-in lockout is kept in the database, and holds).
RATELIMIT_FAIL_OPEN = True

# Celery (its fixed policy and beat schedule: portal/celery.py): a real broker when REDIS_URL is
# set; otherwise tasks run eagerly in process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_RESULT_BACKEND = REDIS_URL or None
# Projects scored per block by the matching engine; shards are whole blocks.
MATCHING_CHUNK = env.int("MATCHING_CHUNK", default=2000)
# Seconds the matching engine's integer programme may take; past it the run keeps the best
# choice found so far, with its bound and gap, and says so.
MATCHING_TIME_LIMIT = env.float("MATCHING_TIME_LIMIT", default=60.0)
# Projects' contacts a university's members may be shown per day (PIPL; against scraping).
CONTACT_VIEWS_PER_DAY = env.int("CONTACT_VIEWS_PER_DAY", default=300)
# Every task's time limits unless it sets its own: SoftTimeLimitExceeded is raised in it, then
# it is killed (the prefork pool, compose's workers', enforces both).
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    **rest.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="300/minute"),
        "user": env("API_THROTTLE_USER", default="1200/minute"),
        "token": env("API_THROTTLE_TOKEN", default="10/minute"),
    },
    # Throttles count per client address: X-Forwarded-For only from the portal's own proxy.
    "NUM_PROXIES": 1 if BEHIND_TRUSTED_PROXY else 0,
}
SPECTACULAR_SETTINGS = rest.SPECTACULAR_SETTINGS

DJANGO_GUID = logs.REQUEST_ID
LOGGING = logs.config(level=env("LOG_LEVEL", default="INFO"), as_json=not DEBUG)
# /metrics (portal/metrics.py): from localhost, or with this bearer token.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

"""The one settings module. Everything that differs between machines comes from the environment."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import environ

from saas_platform import devservices

devservices.bootstrap()

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=bool(env.str("WANGQIAN_EMBEDDED_DB", default="")))
SECRET_KEY = env.str("SECRET_KEY")
PLATFORM_DOMAIN = env.str("PLATFORM_DOMAIN", default="localhost")
PLATFORM_NAME = "网签"
ALLOWED_HOSTS = [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "testserver"]
# Subdomains that can never name a school: they are ours, or look like they are.
RESERVED_SUBDOMAINS = frozenset(
    "www api admin static media assets cdn mail smtp ftp ns ns1 ns2 public platform "
    "operator operators app apps auth login sso oauth wechat wx help docs status "
    "dev test staging demo root system pg information_schema".split()
)

SHARED_APPS = [
    "tenants",  # first: its migrate/migrate_schemas commands take precedence over django_tenants'
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "api",
    "axes",  # failed-login tracking; its tables exist in public and in every school
    "employers",  # employers, their HR members, the shared directory (public schema)
    "employer_inbox",  # in-app notices to employers about their agreements (public schema)
    "workcalendar",  # Chinese working days: holidays and 调休 per year (public schema)
    "codetables",  # national code tables (毕业去向, 单位性质/行业, 职位类别, GB/T 2260), versioned
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "core",
    "accounts",
    "settings_per_school",
    "agreements",
    "axes",
    "students",
    "wechat",
    "notifications",
    "destinations",  # 毕业去向登记: each graduate's destination, its review, statistics, export
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.School"
TENANT_DOMAIN_MODEL = "tenants.Domain"
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "saas_platform.urls_public"
ROOT_URLCONF = "saas_platform.urls_tenant"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "tenants.middleware.SchoolTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.params.NulByteMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.throttle.AnonymousPageLimitMiddleware",  # anonymous page loads, per IP (core/throttle.py)
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.ErrorStatusMiddleware",
    "wechat.middleware.WechatLoginMiddleware",
]

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
                "core.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "saas_platform.wsgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "core.db_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Connections one process can hold are bounded (issue 9, finding 8): a psycopg pool per
# process, shared by its threads. runserver starts a thread per request, and persistent
# per-thread connections outlived their threads until PostgreSQL ran out. A request waits
# up to DB_POOL_TIMEOUT seconds for a free connection. DB_POOL_MAX_SIZE=0 turns the pool off.
# The test suite keeps per-thread connections (its in-process Celery worker thread hangs on a
# pooled connection, tests/notifications/test_redis_outage.py); tests/core/test_flood.py
# builds the pool itself and proves the bound.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=0 if "pytest" in sys.modules else 20)
if DB_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # closing a connection returns it to the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        "max_idle": 60.0,  # idle connections beyond min_size are closed after a minute
    }
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # A Redis outage must slow nothing down: fail fast and let callers fall back.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
    # Counters that span every school (per-IP login failures, invitation rate limits, the
    # anonymous throttles of core/throttle.py): the same Redis, keys NOT prefixed by schema,
    # so moving between hosts doesn't reset them.
    "platform": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "platform",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}
# Anonymous requests per client IP (core/throttle.py); signed-in users are not counted.
ANON_API_RATE = env.str("ANON_API_RATE", default="300/min")
ANON_PAGE_RATE = env.str("ANON_PAGE_RATE", default="1200/min")

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The ID number, its last six (the initial password), the 学号, the birth date.
    {"NAME": "students.password_validation.PersonalDataValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Host-only cookies: a session on one school's subdomain is never sent to another's.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"  # a Chinese page, not Django's English one
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_ENGINE = "django.contrib.sessions.backends.db"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = devservices.data_dir() / "media"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            # Credentials come from boto3's usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
            "signature_version": "s3v4",
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads (core/uploads.py): accepted by content, images re-encoded; downloads through
# short-lived signed URLs minted after a permission check.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
UPLOAD_URL_TTL = env.int("UPLOAD_URL_TTL", default=120)
# The public check of a printed agreement (/verify/): lookups per client IP and window.
VERIFY_RATE_LIMIT = env.int("VERIFY_RATE_LIMIT", default=30)
VERIFY_RATE_WINDOW_SECONDS = env.int("VERIFY_RATE_WINDOW_SECONDS", default=600)
# Pillow's own guard as well, for any image opened outside core.uploads.
from PIL import Image as _PILImage  # noqa: E402

_PILImage.MAX_IMAGE_PIXELS = UPLOAD_MAX_PIXELS

FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Both refuse everything but the password change while must_change_password is set.
        "accounts.authentication.TokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttle.AnonymousApiThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "网签 API",
    "DESCRIPTION": "高校毕业生网签三方协议平台 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,  # read-only/write-only fields exact on both sides
}

# Celery: tasks run in the schema of the school that queued them (tenant-schemas-celery).
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Workers keep our LOGGING (scrubbed); Celery would otherwise replace the root handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "refill-schema-pool": {"task": "tenants.refill_schema_pool", "schedule": 300.0},
    # WeChat notifications: re-queue outbox rows that never reached the broker (see notifications/)
    "notifications-sweep": {"task": "notifications.sweep", "schedule": 60.0},
    # Agreements: per school, remind 3 days before an invitation expires, then expire it.
    "agreements-sweep": {"task": "agreements.sweep_all_schools", "schedule": 600.0},
    # Roster files: expire imports left unconfirmed, delete files no import needs.
    "students-roster-files-sweep": {
        "task": "students.sweep_roster_files_all_schools",
        "schedule": 3600.0,
    },
}

# Schools are onboarded from a pool of pre-migrated spare schemas (see tenants/pool.py).
SCHEMA_POOL_SIZE = env.int("SCHEMA_POOL_SIZE", default=3)

# --- WeChat official accounts and notifications (wechat/, notifications/) ---
# Every WeChat HTTP call goes to these bases; tests and `make run` point them at the fake
# (python -m wechat.fake_server).
WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com/")
WECHAT_OPEN_BASE = env.str("WECHAT_OPEN_BASE", default="https://open.weixin.qq.com/")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=5.0)
# Access tokens are shared by every worker through this Redis (one token per AppID).
WECHAT_TOKEN_REDIS_URL = env.str("WECHAT_TOKEN_REDIS_URL", default=REDIS_URL)
# Scheme of the links in template messages (the school's own subdomain).
SITE_SCHEME = env.str("SITE_SCHEME", default="http" if DEBUG else "https")
SITE_PORT = env.str("SITE_PORT", default="")
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=30.0)
NOTIFY_RETRY_MAX_SECONDS = env.float("NOTIFY_RETRY_MAX_SECONDS", default=3600.0)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=12)
# Celery otherwise opens a new PostgreSQL connection for every task; notification deliveries
# are many and small (bench-notify). Reconnect every 100 tasks instead.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
# Rows due this long without a worker taking them are re-queued by the sweep.
NOTIFY_SWEEP_GRACE_SECONDS = env.float("NOTIFY_SWEEP_GRACE_SECONDS", default=120.0)
# A worker that died while sending: its row goes back to the queue after this lease.
NOTIFY_SENDING_LEASE_SECONDS = env.float("NOTIFY_SENDING_LEASE_SECONDS", default=300.0)

SENTRY_DSN = env.str("SENTRY_DSN", default="")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "core.logging.ContextFilter"},
        "pii": {"()": "core.logging.PiiScrubFilter"},
    },
    "formatters": {
        # Both scrub their finished output again (core/logging.py), after the "pii" filter.
        "json": {
            "()": "core.logging.ScrubbingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(schema)s %(request_id)s",
        },
        "access": {"()": "core.logging.ScrubbingFormatter", "format": "[%(asctime)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["context", "pii"],
        },
        # runserver's access lines: Django's default handler for them would skip our filters.
        "access": {"class": "logging.StreamHandler", "formatter": "access", "filters": ["pii"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
        "django.server": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}

SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"] if DEBUG else []

# --- Login protection and graduates (the graduates issue) ---
# The seed's initial password is six characters of the ID number: guessable, so failures
# lock the account (django-axes, per school schema) and are rate-limited per client IP.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.IpThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "students.backends.InitialPasswordBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.context.client_ip"
# How many reverse proxies (load balancer, nginx) append to X-Forwarded-For in front of us:
# core.context.client_ip takes the N-th entry from the right. 0 = trust only the TCP peer.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False
# Never store typed passwords in axes' records of the request (password change, 应约).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "old_password",
    "new_password",
    "new_password_again",
]
# Our login form and token view show the lockout in Chinese, so axes' middleware isn't needed;
# the per-IP limit is accounts.throttle (higher than the per-account one), hence W006.
SILENCED_SYSTEM_CHECKS += ["axes.W002", "axes.W006"]
# A campus NAT hides thousands of graduates behind one address: generous, but bounded.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=50)
LOGIN_IP_WINDOW_SECONDS = env.int("LOGIN_IP_WINDOW_SECONDS", default=15 * 60)
# API tokens (accounts.tokens): sliding expiry after this long unused, and a hard maximum.
API_TOKEN_IDLE_SECONDS = env.int("API_TOKEN_IDLE_SECONDS", default=3 * 24 * 3600)
API_TOKEN_MAX_AGE_SECONDS = env.int("API_TOKEN_MAX_AGE_SECONDS", default=30 * 24 * 3600)
# Invitations an employer may create per hour (all schools), and per school per hour (all
# employers): a verified employer must not use the invitation form to look graduates up.
INVITATION_RATE_PER_EMPLOYER = env.int("INVITATION_RATE_PER_EMPLOYER", default=60)
INVITATION_RATE_PER_SCHOOL = env.int("INVITATION_RATE_PER_SCHOOL", default=600)
INVITATION_RATE_WINDOW_SECONDS = env.int("INVITATION_RATE_WINDOW_SECONDS", default=3600)
# Key of the HMAC blind index of ID numbers (uniqueness without decrypting). Changing it
# requires recomputing Graduate.id_number_index.
ID_NUMBER_INDEX_KEY = env.str("ID_NUMBER_INDEX_KEY", default=SECRET_KEY)
ROSTER_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# An uploaded roster (encrypted) waits this long for confirmation before the sweep deletes it.
ROSTER_FILE_MAX_AGE_HOURS = env.int("ROSTER_FILE_MAX_AGE_HOURS", default=24)

from core.observability import init_sentry  # noqa: E402

init_sentry(SENTRY_DSN)
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # axes narrates every attempt at INFO

# --- Production (issue 15): password hashing, HTTPS behind the load balancer, pooler ---
# Argon2id first (core/hashers.py); PBKDF2 kept so existing hashes verify and are upgraded
# to Argon2id at the user's next login.
PASSWORD_HASHERS = [
    "core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
MIDDLEWARE.insert(0, "core.healthcheck.LivenessMiddleware")  # /livez for the load balancer
# TLS ends at the load balancer, which sets X-Forwarded-Proto (the ALB always does).
if env.bool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # every school is a subdomain of PLATFORM_DOMAIN
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [f"https://{PLATFORM_DOMAIN}", f"https://*.{PLATFORM_DOMAIN}"]
# PgBouncer / RDS Proxy in transaction mode (DATABASE_POOL_MODE=transaction): the tenant's
# path travels in each transaction (core/db_backend); server-side cursors would not survive.
if env.str("DATABASE_POOL_MODE", default="") == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

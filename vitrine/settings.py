"""Vitrine settings, read from the environment.

DATABASE_URL / REDIS_URL unset means the embedded PostgreSQL / Redis under VITRINE_DATA_DIR
(see core/embedded.py). All local state lives under VITRINE_DATA_DIR (default ./var).
"""

import json
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from psycopg.conninfo import conninfo_to_dict
from whitenoise.compress import Compressor

from core.database_roles import OWNER_ALIAS
from core.embedded import APPLICATION_ROLE, DATABASE_NAME, OWNER_ROLE, EmbeddedRedis
from workers.routing import DEFAULT_QUEUE, TASK_QUEUES, TASK_ROUTES

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return default if value in (None, "") else int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def allauth_rate(rate: str, per: str) -> str:
    """A rate written as the API's are ("10/hour"), in django-allauth's form ("10/h/ip")."""
    amount, _, period = rate.partition("/")
    if not amount.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"A rate is a count per second/min/hour/day, not {rate!r}")
    return f"{amount}/{period[0]}/{per}"


def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for a postgresql:// URL (any server with pgvector)."""
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must be a postgresql:// URL")
    params = conninfo_to_dict(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": params.pop("dbname", ""),
        "USER": params.pop("user", ""),
        "PASSWORD": params.pop("password", ""),
        "HOST": params.pop("host", ""),
        "PORT": params.pop("port", ""),
        "OPTIONS": params,
    }


def celery_url(redis_url: str) -> str:
    """Kombu names Redis over a unix socket redis+socket://."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url.removeprefix("unix://")
    return redis_url


def persistent_secret_key(data_dir: Path) -> str:
    """A random key kept in the data dir, for single-host runs that set no DJANGO_SECRET_KEY."""
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        # Written aside, then linked into place: processes starting together all read the
        # one key that won, and never a file half written.
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f"secret_key.{os.getpid()}.tmp"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process's key won
        finally:
            draft.unlink()
    return key_file.read_text().strip()


VITRINE_DATA_DIR = Path(os.environ.get("VITRINE_DATA_DIR") or BASE_DIR / "var").resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or persistent_secret_key(VITRINE_DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # /sitemap.xml (catalog.sitemaps, vitrine/urls.py).
    "django.contrib.sitemaps",
    "rest_framework",
    # Hashed, expiring API tokens; the token model is merchant.ApiToken (below).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Accounts (accounts/ makes them the site's own): no social providers.
    "allauth",
    "allauth.account",
    # Lowest layer first; each app imports only those above it in this list (make lint).
    "core",
    "accounts",
    "catalog",
    "search",
    "workers",
    "shop",
    "merchant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (collectstatic), compressed and cached (Production below).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Errors under /api/ answer JSON, whichever layer made them (URL 404s, debug pages).
    "core.middleware.JsonApiErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Before any view reads the body: one over VITRINE_MAX_REQUEST_BYTES is refused unread.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a locked-out login (below) into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "vitrine.urls"
WSGI_APPLICATION = "vitrine.wsgi.application"

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
                "shop.context_processors.cart",
                "shop.context_processors.wishlist",
            ],
        },
    },
]

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "core.api_errors.json_exception_handler",
    # The browsable API only for developers.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    # Programs send `Authorization: Token <key>`; the site's own JavaScript its session (with
    # CSRF). Token first: an anonymous request is told to authenticate (401), not refused (403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "merchant.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.ApiSchema",
    # Counted in Redis (the "throttle" cache below), so limits hold across web processes.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("VITRINE_API_RATE_ANON", "120/min"),
        "user": os.environ.get("VITRINE_API_RATE_USER", "1200/min"),
        "search_anon": os.environ.get("VITRINE_API_RATE_SEARCH_ANON", "30/min"),
        "search_user": os.environ.get("VITRINE_API_RATE_SEARCH_USER", "300/min"),
        # Search limits hold for the search page too; a photo search counts in both.
        "photo_search_anon": os.environ.get("VITRINE_RATE_PHOTO_SEARCH_ANON", "10/min"),
        "photo_search_user": os.environ.get("VITRINE_RATE_PHOTO_SEARCH_USER", "60/min"),
        "token": os.environ.get("VITRINE_API_RATE_TOKEN", "10/min"),
        "signup": os.environ.get("VITRINE_RATE_SIGNUP", "10/hour"),
        # Verification links mailed again from the site's own button, per account.
        "verification_mail": os.environ.get("VITRINE_RATE_VERIFICATION_MAIL", "5/hour"),
        # Clicks and adds to cart reported from search results, per address / account.
        "search_event_anon": os.environ.get("VITRINE_RATE_SEARCH_EVENT_ANON", "60/min"),
        "search_event_user": os.environ.get("VITRINE_RATE_SEARCH_EVENT_USER", "120/min"),
        # Suggestions while typing: a request per keystroke or two, which typing never outruns.
        "suggest_anon": os.environ.get("VITRINE_RATE_SUGGEST_ANON", "600/min"),
        "suggest_user": os.environ.get("VITRINE_RATE_SUGGEST_USER", "1200/min"),
        # Saves to and removals from a shopper's wishlist, per account (page and API).
        "wishlist": os.environ.get("VITRINE_RATE_WISHLIST", "60/min"),
        # A signed-in shopper's cart changes, and their checkouts and cancellations, per account
        # (pages and API).
        "cart": os.environ.get("VITRINE_RATE_CART", "120/min"),
        "orders": os.environ.get("VITRINE_RATE_ORDERS", "10/min"),
    },
    # Clients are told apart by the connecting address; X-Forwarded-For counts only when this
    # many trusted proxies stand in front (else anyone could pick a fresh address per request).
    "NUM_PROXIES": env_int("VITRINE_TRUSTED_PROXIES", 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Vitrine API",
    "DESCRIPTION": (
        "The public catalogue and search, merchants' own products, and a signed-in shopper's "
        "wishlist, cart, checkout and orders. Reads of the catalogue need no authentication; "
        "writes need `Authorization: Token <key>`, a merchant's expiring token (from "
        "`POST /api/v1/auth/token/` or the dashboard), or for a shopper's things the site's "
        "own session with its CSRF token. Every error answers "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1.0.0",
    # Tags and operation ids from the path after the version: products, merchant, search...
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The schema and docs describe /api/v1/, not themselves.
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components: read-only fields are not asked of clients.
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page's scripts and styles come from this site (drf-spectacular-sidecar).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProductStatusEnum": "catalog.models.Product.Status",
        "BulkItemStatusEnum": "merchant.serializers.BULK_ITEM_STATUSES",
    },
}

# Database: any PostgreSQL with pgvector, or the embedded one. The site and its workers connect
# as "default", a role that reads and writes rows but cannot change the schema; `manage.py
# migrate` connects as "owner" (core.database_roles), which owns the tables and creates the
# extensions, and grants the default role its rights. On a server of your own, DATABASE_URL is
# the site's role and DATABASE_OWNER_URL the owner's; without it both are DATABASE_URL.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": database_from_url(os.environ["DATABASE_URL"]),
        OWNER_ALIAS: database_from_url(
            os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"]
        ),
    }
elif os.environ.get("DATABASE_OWNER_URL"):
    raise ImproperlyConfigured("DATABASE_OWNER_URL needs DATABASE_URL, the site's own role")
else:
    DATABASES = {
        alias: {"ENGINE": "core.embedded_postgres", "NAME": DATABASE_NAME, "USER": user}
        for alias, user in (("default", APPLICATION_ROLE), (OWNER_ALIAS, OWNER_ROLE))
    }
# Searches read from streaming replicas of that database where DATABASE_REPLICA_URLS names them
# (comma-separated postgresql:// URLs, the site's role on each): core.replicas.
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica_{_number}"] = database_from_url(_url)
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True
# Under test, the owner's alias is the default's test database (the test runner makes one).
DATABASES[OWNER_ALIAS]["TEST"] = {"MIRROR": "default"}
# The role that migrate grants the rights to read and write rows (none when it is the owner).
DATABASE_APPLICATION_ROLE = DATABASES["default"]["USER"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and result store.
REDIS_IS_EMBEDDED = not os.environ.get("REDIS_URL")
REDIS_URL = os.environ.get("REDIS_URL") or EmbeddedRedis(VITRINE_DATA_DIR).url

CACHES = {
    # Shared by every process: django-allauth counts its rate limits here (below). While Redis
    # fails, each process counts in its own memory.
    "default": {
        "BACKEND": "core.cache.RedisCacheWithFallback",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "vitrine",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    },
    # API rate-limit counters, shared by every process of the site.
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "vitrine-throttle",
    },
}

CELERY_BROKER_URL = celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
CELERY_RESULT_EXPIRES = 3600
CELERY_IMPORTS = (
    "workers.tasks",
    "workers.embedding",
    "workers.training",
    "workers.remapping",
    "search.tasks",
    "shop.tasks",
    "accounts.tasks",
)
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE
CELERY_TASK_QUEUES = TASK_QUEUES
CELERY_TASK_ROUTES = TASK_ROUTES
# A task is acknowledged when done, so a worker killed mid-task leaves it for another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits out a Redis outage however long it lasts (Celery's default gives up after 100
# tries, about 45 minutes, and the worker exits: under honcho, all of `make serve` with it).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BEAT_SCHEDULE_FILENAME = str(VITRINE_DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sweep-stale-products": {"task": "workers.embedding.sweep_stale_products", "schedule": 60},
    "sweep-unmapped-photos": {"task": "workers.remapping.sweep_unmapped_photos", "schedule": 60},
    "clear-expired-sessions": {"task": "shop.tasks.clear_expired_sessions", "schedule": 24 * 3600},
    "delete-old-search-logs": {
        "task": "search.tasks.delete_old_search_logs",
        "schedule": crontab(hour=4, minute=0),
    },
    # Categories that have grown into (or out of) HNSW indexes of their own (search.vector_indexes).
    "sync-category-indexes": {"task": "search.tasks.sync_category_indexes", "schedule": 3600},
    "retrain-when-catalogue-changed": {
        "task": "workers.training.retrain_when_catalogue_changed",
        "schedule": 3600,
    },
    "retrain-nightly": {
        "task": "workers.training.retrain_nightly",
        "schedule": crontab(hour=3, minute=0),
    },
}
# A publish that cannot reach the broker fails fast: the dirty flags cover lost messages.
CELERY_BROKER_CONNECTION_TIMEOUT = 2

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The places of the catalogue's pages that apps above it fill (catalog_tags.slot): the
# project composes its pages here, so that the catalogue imports none of those apps.
VITRINE_CATALOG_SLOTS = {
    # Beside a product's details, for shoppers: its buy box.
    "product_actions": ["shop/_product_buy_box.html", "shop/_wishlist_button.html"],
    # Beside a product's details, for the merchant who owns it.
    "product_owner_tools": ["merchant/_owner_tools.html"],
    # Below a product: products like it.
    "product_related": ["search/_similar_products_slot.html"],
    # On a product card that asks for its actions (search results): add to cart.
    "card_actions": ["shop/_add_to_cart.html"],
    # On every product card: save it for later.
    "card_save": ["shop/_wishlist_button.html"],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "catalog:home"

# Accounts (django-allauth, accounts/): log in by username or email; sign up with both and a
# password; the email is verified by a mailed link, which browsing and carts do not wait for,
# but a pay-on-delivery order does (shop.services.checkout). One address per account, changed
# by verifying the new one (the old one serves until then), after the password is asked again.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.UsernameOrEmailLoginForm"}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_UNIQUE_EMAIL = True
# Emails on a changed password or address, to the account's (old) address.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Vitrine: "
# A reset asked for an address without an account mails nobody (the page says the same either
# way): the form cannot be used to mail strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Sessions last as Django's do (two weeks), as logins did before: no "remember me" box.
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
# Counted in the default cache (Redis, shared by the processes). Wrong passwords are django-axes'
# (AXES_* below), so allauth's own count of them is off; sign-up is limited by the site's
# "signup" rate (REST_FRAMEWORK above) on the page.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "signup": None,
    "login": allauth_rate(os.environ.get("VITRINE_RATE_LOGIN", "30/min"), "ip"),
    # Reset links asked for: per address, and at most 3 an hour to one email address.
    "reset_password": (
        allauth_rate(os.environ.get("VITRINE_RATE_PASSWORD_RESET", "10/hour"), "ip") + ",3/h/key"
    ),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # A verification link mailed to one address at most every three minutes.
    "confirm_email": "1/3m/key",
}

# Order emails. The console backend prints them; set an SMTP backend and its EMAIL_* settings
# (see Django's docs) to send them.
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds one try at the mail server may take; the email task then retries with backoff.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Vitrine <orders@localhost>")
# The site's address, for links in emails.
VITRINE_SITE_URL = os.environ.get("VITRINE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The site's language, and the locale its prices are written in (catalog.currencies.format_price,
# through Babel): "en-us" writes $1,234.50 and ¥1,200; "de" 1.234,50 $ and 12,50 €.
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "en-us")
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VITRINE_DATA_DIR / "static"
MEDIA_URL = os.environ.get("VITRINE_MEDIA_URL", "/media/")
MEDIA_ROOT = VITRINE_DATA_DIR / "media"

# Product photos: the upload limits every path (page, API, import) enforces.
VITRINE_MAX_IMAGE_BYTES = env_int("VITRINE_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
VITRINE_MAX_IMAGE_PIXELS = env_int("VITRINE_MAX_IMAGE_PIXELS", 40_000_000)
# Any request body (abuse limits): ten photos, a merchant's largest upload, and the form around.
VITRINE_MAX_REQUEST_BYTES = env_int(
    "VITRINE_MAX_REQUEST_BYTES", 10 * VITRINE_MAX_IMAGE_BYTES + 2**20
)
VITRINE_DEFAULT_CURRENCY = os.environ.get("VITRINE_DEFAULT_CURRENCY", "USD")
# The merchant that owns imported products when no --merchant is given: the store itself.
VITRINE_HOUSE_MERCHANT = os.environ.get("VITRINE_HOUSE_MERCHANT", "vitrine")
# Django's full-text search configuration for the keyword document.
SEARCH_TEXT_CONFIG = os.environ.get("VITRINE_SEARCH_TEXT_CONFIG", "english")
VITRINE_ENCODER = os.environ.get("VITRINE_ENCODER", "embedded")
# A search answer's token (search.result_tokens) counts clicks on its results this long.
VITRINE_SEARCH_TOKEN_MAX_AGE_SECONDS = env_int("VITRINE_SEARCH_TOKEN_MAX_AGE_SECONDS", 86400)
# Each search is logged (search.models.SearchLog, for the merchants' search analytics) and kept
# this many days; a daily task deletes older logs.
VITRINE_SEARCH_LOG_RETENTION_DAYS = env_int("VITRINE_SEARCH_LOG_RETENTION_DAYS", 90)
if VITRINE_SEARCH_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("VITRINE_SEARCH_LOG_RETENTION_DAYS must be at least 1.")
# HNSW build parameters (search.vector_indexes; `manage.py rebuild_vector_indexes` applies
# them): pgvector's defaults for m and ef_construction; a build holds its graph in
# maintenance_work_mem (a 384-d index at m=16 takes about 2 KB a listing, 1.9 GB for 1,000,000 in
# bench/scale.py: 1GB holds some 500,000 listings' graph, past which the build goes on from disk,
# many times slower), with this many parallel workers.
VITRINE_HNSW_M = env_int("VITRINE_HNSW_M", 16)
VITRINE_HNSW_EF_CONSTRUCTION = env_int("VITRINE_HNSW_EF_CONSTRUCTION", 64)
VITRINE_HNSW_BUILD_MEMORY = os.environ.get("VITRINE_HNSW_BUILD_MEMORY", "1GB")
VITRINE_HNSW_BUILD_WORKERS = env_int("VITRINE_HNSW_BUILD_WORKERS", 2)
# A search's HNSW search list, at least (search.retrieval): longer lists find the true nearest
# more often and take longer. On 1,000,000 listings (bench/scale.py's catalogue, 2 cores), the
# text index's recall@10 against exact search was 0.943 at 100, 0.963 at 200 and 0.967 at 400,
# at 8, 14 and 22 ms p95.
VITRINE_HNSW_EF_SEARCH = env_int("VITRINE_HNSW_EF_SEARCH", 200)
# After the encoder failed to load, a process tries again after this long (searches answer from
# keywords meanwhile, and products wait to be embedded).
VITRINE_ENCODER_RETRY_SECONDS = env_int("VITRINE_ENCODER_RETRY_SECONDS", 60)
# Where train_search saves search models (the photo map and match head) and marks the active one.
VITRINE_SEARCH_MODELS_DIR = Path(
    os.environ.get("VITRINE_SEARCH_MODELS_DIR") or VITRINE_DATA_DIR / "search-models"
)
# Trained versions kept under it, the newest first (the active one is always kept).
VITRINE_SEARCH_MODELS_KEPT = max(1, env_int("VITRINE_SEARCH_MODELS_KEPT", 5))
# Fine-tuning the photo encoder on the catalogue during train_search: its epochs (0: no
# fine-tuning); the time and memory its image model's work may take, which decide how many of
# the model's last blocks it trains (search/ml/training/tuning_budget.py), unless
# VITRINE_PHOTO_TUNING_BLOCKS sets that number. The time follows from the goal of a 20-minute
# training of 10,000 listings on 2 cores: its other stages and the photo decoding took 6 minutes
# on such a machine, and the real time ran up to a third over the estimate; 450 s keeps a machine
# 1.5 times as slow within 20 minutes. 2 GB bounds the frozen part's kept output (such a
# training peaked at 2.7 GB, 320 MB of it that output).
# Training reads at most about this many products, drawn at random past it
# (search.ml.training.catalogue): its time and memory stop growing with the catalogue. Twice the
# 10,000 listings its time budget was measured on.
VITRINE_TRAINING_SAMPLE = env_int("VITRINE_TRAINING_SAMPLE", 20_000)
VITRINE_PHOTO_TUNING_EPOCHS = env_int("VITRINE_PHOTO_TUNING_EPOCHS", 6)
VITRINE_PHOTO_TUNING_SECONDS = env_int("VITRINE_PHOTO_TUNING_SECONDS", 450)
VITRINE_PHOTO_TUNING_MEMORY_MB = env_int("VITRINE_PHOTO_TUNING_MEMORY_MB", 2048)
_tuned_blocks = os.environ.get("VITRINE_PHOTO_TUNING_BLOCKS")
VITRINE_PHOTO_TUNING_BLOCKS = env_int("VITRINE_PHOTO_TUNING_BLOCKS", 0) if _tuned_blocks else None
# How often a process looks whether the catalogue changed (one cache read), to load its
# vocabulary (typo corrections, kinds of product) learned again when it did.
VITRINE_VOCABULARY_REFRESH_SECONDS = env_int("VITRINE_VOCABULARY_REFRESH_SECONDS", 60)
# A changed catalogue's vocabulary is learned by a worker, or by a process in a thread when none
# does, while searches use the vocabulary they have (search/catalogue_vocabulary.py); off, a
# search waits for the current one (the shared one, or the process learns it itself).
VITRINE_VOCABULARY_LEARN_IN_BACKGROUND = env_bool("VITRINE_VOCABULARY_LEARN_IN_BACKGROUND", True)
# A learning of the vocabulary reads every active listing's words, and learns the rest from a
# uniform sample of at most this many listings: its time and size stop growing with the
# catalogue. Five times the 10,000 listings its learning was first measured on.
VITRINE_VOCABULARY_SAMPLE = env_int("VITRINE_VOCABULARY_SAMPLE", 50_000)
# Suggestions while typing (search/suggestions.py): a query is suggested once this many
# different searchers made it, and found products, within the window (of the search log); the
# list is read again this often.
VITRINE_SUGGEST_MIN_SEARCHERS = max(1, env_int("VITRINE_SUGGEST_MIN_SEARCHERS", 5))
VITRINE_SUGGEST_WINDOW_DAYS = env_int("VITRINE_SUGGEST_WINDOW_DAYS", 90)
VITRINE_SUGGEST_REFRESH_SECONDS = env_int("VITRINE_SUGGEST_REFRESH_SECONDS", 300)
# A worker holds the rows it embeds this long; a dead worker's rows go to another after it.
VITRINE_EMBED_LEASE_SECONDS = env_int("VITRINE_EMBED_LEASE_SECONDS", 300)
# A product whose embedding stopped unfinished this many times (its worker crashed) is set
# aside with an error until it changes, instead of crashing workers forever.
VITRINE_EMBED_MAX_ATTEMPTS = env_int("VITRINE_EMBED_MAX_ATTEMPTS", 3)
# The sweeper asks again for rows left dirty longer than this, and for a re-mapping of photos
# that has been silent this long (workers.remapping).
VITRINE_SWEEP_AFTER_SECONDS = env_int("VITRINE_SWEEP_AFTER_SECONDS", 120)

# Abuse limits (the request rates are in REST_FRAMEWORK above).
# Logins (site, admin, API token): after this many wrong passwords for one account, or from one
# address, that account or address is locked out for the cool-off (django-axes, counted in the
# database). A right password during the cool-off is refused too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Login by email, and by username in any letter case.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = env_int("VITRINE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("VITRINE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "core.lockout.locked_out"
# One count per account, whether a login names it by username or email, in any letter case.
AXES_USERNAME_CALLABLE = "accounts.lockout.login_name"
# Pay on delivery takes no money up front: a cap on one account's orders awaiting payment, and
# on the units of one product an order may take, so that no script reserves a whole stock.
VITRINE_MAX_OPEN_UNPAID_ORDERS = env_int("VITRINE_MAX_OPEN_UNPAID_ORDERS", 5)
VITRINE_MAX_UNITS_PER_LINE = env_int("VITRINE_MAX_UNITS_PER_LINE", 20)
# The products one account's wishlist may hold: a script cannot grow one without end.
VITRINE_MAX_WISHLIST_ITEMS = env_int("VITRINE_MAX_WISHLIST_ITEMS", 500)

# --- Production serving (`make serve`; README, Production) ---
# gunicorn (vitrine/gunicorn.py): processes times threads, both fixed, so that the connections
# they can hold are known. The defaults suit a two-core host: a process runs Python on one core
# at a time, and a shopper's kept-alive connection stays with the process that took it, so two
# processes got uneven shares (measured under load: one used 56% of a core, the other 22%)
# and requests queued in the busier one while a core idled. Each process holds the search
# models (about 800 MB with the default encoders).
WEB_HOST = os.environ.get("WEB_HOST", "127.0.0.1")
WEB_PORT = env_int("WEB_PORT", 8000)
WEB_WORKERS = env_int("WEB_WORKERS", 4)
WEB_THREADS = env_int("WEB_THREADS", 2)
# A worker whose heartbeat stops this long is restarted.
WEB_TIMEOUT = env_int("WEB_TIMEOUT", 60)
# A kept-alive connection is ended (its answer says "Connection: close") after this many
# requests, as nginx's keepalive_requests does, so that a client's next connection goes to
# whichever process accepts first. A reconnect costs a fraction of a millisecond; a shopper
# pinned to a busy process waits behind its other requests while a core idles.
WEB_REQUESTS_PER_CONNECTION = env_int("WEB_REQUESTS_PER_CONNECTION", 10)
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 1)

# Each process borrows connections from its own pool of at most DATABASE_POOL_SIZE, one per
# thread at work, and gives them back after each request: a server that starts a thread per
# request (runserver) waits for a free connection instead of opening one per thread. 0 turns
# the pool off (behind PgBouncer, say); DATABASE_CONN_MAX_AGE then applies.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", WEB_THREADS)
# Seconds a request waits for a pooled connection before it fails.
DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10)
if DATABASE_POOL_SIZE > 0:
    if env_int("DATABASE_CONN_MAX_AGE", 0):
        raise ImproperlyConfigured(
            "DATABASE_CONN_MAX_AGE keeps a connection per thread, which the pool replaces: "
            "unset it, or set DATABASE_POOL_SIZE=0 to use it without the pool"
        )
    _pool = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": DATABASE_POOL_TIMEOUT,
        # While the database is down, the pool retries each connection with a doubling delay,
        # for five minutes by default: once the database was back, requests went on failing
        # until the next retry, up to as long again as the outage had lasted. No request waits
        # longer than the timeout, so no retrying outlasts it: the next request starts afresh.
        # (Connections that died with the old server are checked as they are lent, by
        # CONN_HEALTH_CHECKS, and replaced.)
        "reconnect_timeout": DATABASE_POOL_TIMEOUT,
    }
    for _alias in ("default", *DATABASE_REPLICAS):  # each replica: a pool of its own
        DATABASES[_alias]["CONN_MAX_AGE"] = 0
        DATABASES[_alias].setdefault("OPTIONS", {})["pool"] = dict(_pool)
else:
    for _alias in ("default", *DATABASE_REPLICAS):
        DATABASES[_alias]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 0)
# The most connections `make serve` holds: every web worker's pool (without one, a connection
# per thread), one per Celery worker process, one for the training worker (beat holds none),
# and ten for manage.py commands and an administrator's psql.
DATABASE_CONNECTION_BUDGET = (
    WEB_WORKERS * (DATABASE_POOL_SIZE or WEB_THREADS) + CELERY_WORKER_CONCURRENCY + 1 + 10
)
# The embedded PostgreSQL is started with room for that budget, and never less than
# PostgreSQL's default of 100 (the tests and `make run` share it too).
VITRINE_EMBEDDED_DB_MAX_CONNECTIONS = env_int(
    "VITRINE_EMBEDDED_DB_MAX_CONNECTIONS", max(100, DATABASE_CONNECTION_BUDGET)
)
if VITRINE_EMBEDDED_DB_MAX_CONNECTIONS < DATABASE_CONNECTION_BUDGET:
    raise ImproperlyConfigured(
        f"VITRINE_EMBEDDED_DB_MAX_CONNECTIONS={VITRINE_EMBEDDED_DB_MAX_CONNECTIONS} is below the "
        f"{DATABASE_CONNECTION_BUDGET} connections that WEB_WORKERS × DATABASE_POOL_SIZE "
        "+ CELERY_WORKER_CONCURRENCY + 1 (the trainer) + 10 may hold"
    )


def _memory_bytes() -> int:
    """The machine's memory, or its container's limit where that is lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return memory
    return min(memory, int(limit)) if limit.isdigit() else memory


# The embedded PostgreSQL's shared buffers: by default a quarter of the memory, PostgreSQL's
# own starting advice (its default of 128MB holds little of a large catalogue's HNSW indexes,
# and every page beyond it is copied in from the OS's cache on each search). A PostgreSQL size.
VITRINE_EMBEDDED_DB_SHARED_BUFFERS = (
    os.environ.get("VITRINE_EMBEDDED_DB_SHARED_BUFFERS") or f"{_memory_bytes() // 4 // 2**20}MB"
)
if not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB|TB)", VITRINE_EMBEDDED_DB_SHARED_BUFFERS):
    raise ImproperlyConfigured(
        "VITRINE_EMBEDDED_DB_SHARED_BUFFERS must be a size such as 512MB or 4GB, not "
        f"{VITRINE_EMBEDDED_DB_SHARED_BUFFERS!r}"
    )

# Static files: collectstatic writes them to STATIC_ROOT with hashed names and compressed copies;
# WhiteNoise serves them, the hashed ones cached for good.
# Uploaded photos: the default storage, the data dir's media folder unless VITRINE_MEDIA_STORAGE
# names another backend, e.g. django-storages' "storages.backends.s3.S3Storage" (installed
# separately) with its options as JSON in VITRINE_MEDIA_STORAGE_OPTIONS.
try:
    _media_storage_options = json.loads(os.environ.get("VITRINE_MEDIA_STORAGE_OPTIONS") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"VITRINE_MEDIA_STORAGE_OPTIONS is not JSON: {error}") from None
if not isinstance(_media_storage_options, dict):
    raise ImproperlyConfigured("VITRINE_MEDIA_STORAGE_OPTIONS must be a JSON object")
STORAGES = {
    "default": {
        "BACKEND": os.environ.get(
            "VITRINE_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": _media_storage_options,
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Pages name static files only by their hashed names ({% static %}): the copies under the plain
# names would double what collectstatic writes and compresses. Source maps are fetched only by a
# developer's tools and are most of the bytes (the API docs' bundles): compressed, they made
# collectstatic several times slower (about 40 s against 18 s on 2 cores) for nothing a shopper
# loads.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
# Photos are stored under fresh random names and never rewritten, so a browser may keep them.
VITRINE_MEDIA_MAX_AGE = env_int("VITRINE_MEDIA_MAX_AGE", 365 * 24 * 3600)

# /readyz answers 200 only when each of these passes (name -> a callable that raises when not).
VITRINE_READINESS_CHECKS = {
    "database": "core.health.check_database",
    "redis": "core.health.check_redis",
    "broker": "core.health.check_broker",
    "search_model": "search.health.check_model_loaded",
}
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# --- end of production serving ---

# API tokens (django-rest-knox, merchant.ApiToken): for merchants only, stored as hashes, each
# expiring VITRINE_API_TOKEN_TTL_DAYS after it is made; at most VITRINE_API_TOKENS_PER_MERCHANT
# live ones per merchant, so that a looping script cannot fill the table.
KNOX_TOKEN_MODEL = "merchant.ApiToken"
VITRINE_API_TOKEN_TTL_DAYS = env_int("VITRINE_API_TOKEN_TTL_DAYS", 90)
if VITRINE_API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured("VITRINE_API_TOKEN_TTL_DAYS must be at least 1: tokens expire.")
VITRINE_API_TOKENS_PER_MERCHANT = env_int("VITRINE_API_TOKENS_PER_MERCHANT", 20)
REST_KNOX = {"TOKEN_TTL": timedelta(days=VITRINE_API_TOKEN_TTL_DAYS), "AUTH_HEADER_PREFIX": "Token"}

# Security headers; behind TLS by default once debug is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # pgserver narrates every attach and exit, the autoreloader its start, at INFO.
        "pgserver": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}

"""OrderHub configuration, read from the environment.

Defaults give a local run that needs nothing installed: SQLite under ``instance/``, an embedded
in-process queue, the built-in provider sandboxes, mails written to ``instance/mail_outbox``. A secret
key and the credentials encryption key are generated once and kept under ``instance/``.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ORDERHUB_INSTANCE", BASE_DIR / "instance"))


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret(filename: str, make) -> str:
    """A secret generated on first start and kept in the instance folder (local runs only)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / filename
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _fernet_key() -> str:
    from cryptography.fernet import Fernet
    return Fernet.generate_key().decode()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE_DIR / 'orderhub.db'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    APP_NAME = "OrderHub"
    APP_THEME = ""
    SECRET_KEY = os.environ.get("SECRET_KEY") or _kept_secret("secret_key",
                                                               lambda: secrets.token_urlsafe(48))
    CREDENTIALS_KEY = os.environ.get("CREDENTIALS_KEY") or _kept_secret("credentials_key", _fernet_key)

    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    REDIS_URL = os.environ.get("REDIS_URL") or None  # None: embedded queue and worker in-process
    RQ_QUEUE_PREFIX = os.environ.get("RQ_QUEUE_PREFIX", "orderhub")
    EMBEDDED_WORKER = _flag("EMBEDDED_WORKER", True)
    SCHEDULER_ENABLED = _flag("SCHEDULER_ENABLED", True)

    # Flask-AppBuilder
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    FAB_CREATE_DB = _flag("FAB_CREATE_DB", True)
    FAB_UPDATE_PERMS = _flag("FAB_UPDATE_PERMS", True)
    FAB_ADD_SECURITY_API = True
    FAB_API_SWAGGER_UI = True
    # Roles are declared in code (app/security/roles.py): the raw permission tables are no page
    # for a shop's admin (the roles page shows each role's permissions in words).
    FAB_ADD_SECURITY_PERMISSION_VIEW = False
    FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
    FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
    FAB_API_MAX_PAGE_SIZE = 500
    FAB_INDEX_VIEW = "app.views.dashboard.DashboardIndexView"
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.OrderHubSecurityManager"
    FAB_BASE_TEMPLATE = "orderhub/baselayout.html"
    # Sign-in limits (README "Security"): per client IP, every attempt on the sign-in page and the
    # API login (Flask-AppBuilder's AUTH_RATE_LIMITED); per user name, failed attempts. Counted on
    # Redis when REDIS_URL is set (RATELIMIT_STORAGE_URI overrides), in memory otherwise.
    AUTH_RATE_LIMITED = _flag("AUTH_RATE_LIMITED", True)
    AUTH_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "20 per minute")
    LOGIN_FAILURES_PER_USER = os.environ.get("LOGIN_FAILURES_PER_USER", "5 per 5 minutes")
    RATELIMIT_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"  # no burst across a window edge; an exact "try again in"
    RATELIMIT_SWALLOW_ERRORS = True  # Redis away for a moment: sign-in works, unlimited meanwhile
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))  # they set X-Forwarded-For
    # The sales assistant (SPEC §11): the flat shipping fee it quotes as an estimate (VND; empty:
    # it quotes none and staff confirm the fee), from which order value shipping is free, and how
    # long a staff message keeps the assistant quiet.
    ASSISTANT_SHIPPING_FEE = int(os.environ.get("ASSISTANT_SHIPPING_FEE") or 30000) \
        if os.environ.get("ASSISTANT_SHIPPING_FEE", "30000").strip() else None
    ASSISTANT_FREE_SHIPPING_FROM = int(os.environ.get("ASSISTANT_FREE_SHIPPING_FROM") or 0) or None
    ASSISTANT_PAUSE_MINUTES = int(os.environ.get("ASSISTANT_PAUSE_MINUTES", "30"))
    ASSISTANT_DRAFT_HOURS = int(os.environ.get("ASSISTANT_DRAFT_HOURS", "24"))
    if os.environ.get("RATELIMIT_STORAGE_URI"):
        RATELIMIT_STORAGE_URI = os.environ["RATELIMIT_STORAGE_URI"]
    # The session cookie: not sent by other sites' requests, not readable by scripts, and only
    # over HTTPS when the app is served over HTTPS (SESSION_COOKIE_SECURE overrides).
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    JWT_ACCESS_TOKEN_EXPIRES = 3600
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_FOLDER = "translations"
    LANGUAGES = {"en": {"flag": "gb", "name": "English"}, "vi": {"flag": "vn", "name": "Tiếng Việt"}}
    SHOW_TIMEZONE = os.environ.get("ORDERHUB_TIMEZONE", "Asia/Ho_Chi_Minh")
    PAGE_SIZE = 25

    # Sandboxes: mounted under /sandbox/<provider> only when enabled (demo and tests).
    SANDBOX_ENABLED = _flag("SANDBOX_ENABLED", True)
    # Where the sandboxes keep what they hold (issued invoices, parcels, shops and tokens) across
    # restarts of the demo; empty: in memory only.
    SANDBOX_STATE_DIR = os.environ.get("SANDBOX_STATE_DIR", str(INSTANCE_DIR / "sandbox"))
    # Demo parcels move one carrier status on by themselves this often (0: only when told to).
    SANDBOX_CARRIER_STEP_SECONDS = float(os.environ.get("SANDBOX_CARRIER_STEP_SECONDS", "60"))
    # Seconds between two steps of a marketplace sandbox shop's own life (new orders, buyer
    # cancellations, status changes, each pushed to our webhooks); 0 keeps the shops still.
    SANDBOX_SIMULATE_SECONDS = float(os.environ.get("SANDBOX_SIMULATE_SECONDS", "120"))
    # The development server's access log leaves out requests to the sandboxes unless asked.
    SANDBOX_ACCESS_LOG = _flag("SANDBOX_ACCESS_LOG", False)
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", PUBLIC_BASE_URL.startswith("https://"))
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    # Mail: with no MAIL_SERVER, mails are written as .eml files to MAIL_OUTBOX.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "OrderHub <no-reply@orderhub.local>")
    MAIL_OUTBOX = os.environ.get("MAIL_OUTBOX", str(INSTANCE_DIR / "mail_outbox"))

    # Files attached to records (Flask-AppBuilder's download endpoint serves them from here).
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    IMG_UPLOAD_FOLDER = UPLOAD_FOLDER

    # Product images and videos (and catalogue files waiting for their import): "local" keeps them
    # in MEDIA_FOLDER (default: instance/media); "s3" in an S3-compatible bucket.
    MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
    MEDIA_FOLDER = os.environ.get("MEDIA_FOLDER") or None
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL") or None
    S3_BUCKET = os.environ.get("S3_BUCKET") or None
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID") or None
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY") or None
    S3_ADDRESSING = os.environ.get("S3_ADDRESSING", "path")  # or "virtual" (bucket.host)
    MEDIA_MAX_IMAGE_MB = int(os.environ.get("MEDIA_MAX_IMAGE_MB", "10"))
    MEDIA_MAX_VIDEO_MB = int(os.environ.get("MEDIA_MAX_VIDEO_MB", "100"))
    # No request body beyond the largest upload (a video) and its form.
    MAX_CONTENT_LENGTH = (max(MEDIA_MAX_VIDEO_MB, 20) + 5) * 1024 * 1024
    # A catalogue file with more rows than this is imported by a background job with progress.
    CATALOG_IMPORT_INLINE_ROWS = int(os.environ.get("CATALOG_IMPORT_INLINE_ROWS", "1000"))

    INTEGRATION_LOG_KEEP_DAYS = int(os.environ.get("INTEGRATION_LOG_KEEP_DAYS", "30"))
    INVOICE_AUTO_THRESHOLD = int(os.environ.get("INVOICE_AUTO_THRESHOLD", "20000000"))
    STOCK_PUSH_DEBOUNCE_SECONDS = int(os.environ.get("STOCK_PUSH_DEBOUNCE_SECONDS", "5"))
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD") or None


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    FAB_UPDATE_PERMS = True
    SCHEDULER_ENABLED = False
    SANDBOX_CARRIER_STEP_SECONDS = 0.0
    SANDBOX_STATE_DIR = None  # each test's sandboxes start empty
    SANDBOX_SIMULATE_SECONDS = 0  # a test asks a shop to live (POST /_control/simulate)
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-jwt-0123456789"

"""Settings for each environment.

`TRACKER_CONFIG` picks the class (development, testing, production); every
value that differs between machines, and every secret, comes from the
environment.
"""

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def database_url(url: str | None, default: str) -> str:
    """Return a SQLAlchemy URL, pointing plain PostgreSQL URLs at psycopg 3."""
    if not url:
        return default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def minutes(name: str, default: int) -> timedelta:
    """A duration in minutes from the environment."""
    return timedelta(minutes=int(os.environ.get(name, default)))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{INSTANCE / 'tracker.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # SQLite waits this long for a lock held by another process before failing.
    SQLITE_BUSY_TIMEOUT_MS = 5000

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")

    # The CSRF token lives as long as the signed-in session (which has its own
    # idle and absolute limits), so a long session write never expires it.
    WTF_CSRF_TIME_LIMIT = None

    SESSION_COOKIE_NAME = "tracker_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_TIMEOUT = minutes("SESSION_IDLE_MINUTES", 60)
    SESSION_ABSOLUTE_TIMEOUT = minutes("SESSION_ABSOLUTE_MINUTES", 12 * 60)

    # Failed sign-ins are counted over this window; a locked account or address is
    # free again once its oldest counted failure leaves it (so at most this long).
    SIGN_IN_WINDOW = minutes("SIGN_IN_WINDOW_MINUTES", 5)
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_ACCOUNT", 10))
    SIGN_IN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_ADDRESS", 100))
    # A browser that signed in to an account before (its device cookie) has its own count.
    SIGN_IN_MAX_FAILURES_PER_DEVICE = int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_DEVICE", 10))
    DEVICE_COOKIE_NAME = "tracker_device"
    DEVICE_COOKIE_LIFETIME = timedelta(days=int(os.environ.get("DEVICE_COOKIE_DAYS", 365)))

    # Roles that must sign in with a second factor (an authenticator app's code);
    # everyone else may choose to. Comma-separated role names, "" for none.
    TWO_FACTOR_REQUIRED_ROLES = tuple(
        role.strip() for role in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin,manager").split(",")
        if role.strip()
    )
    # Wrong codes allowed per account within SIGN_IN_WINDOW.
    TWO_FACTOR_MAX_FAILURES = int(os.environ.get("TWO_FACTOR_MAX_FAILURES", 5))
    # Time to type the code once the password was right.
    TWO_FACTOR_PENDING_TIMEOUT = minutes("TWO_FACTOR_PENDING_MINUTES", 5)
    # The name authenticator apps show beside the account.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Bansō Tracker")

    # The largest request accepted (a form, an uploaded file): larger ones get a 413 page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", 10)) * 1024 * 1024
    # Reading one company import file (tracker/imports/limits.py): a file passing any of
    # these is refused at that point. A list of 10,000 companies in 30 columns fits (300,000
    # cells); a file stopped at the cell limit has held its worker for about a second or two.
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", 50_000))
    IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", 200))
    IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", 350_000))
    IMPORT_MAX_CELL_CHARS = int(os.environ.get("IMPORT_MAX_CELL_CHARS", 5_000))
    IMPORT_MAX_LINE_CHARS = int(os.environ.get("IMPORT_MAX_LINE_CHARS", 100_000))
    IMPORT_MAX_UNPACKED_MB = int(os.environ.get("IMPORT_MAX_UNPACKED_MB", 50))
    IMPORT_MAX_SHARED_STRINGS_MB = int(os.environ.get("IMPORT_MAX_SHARED_STRINGS_MB", 20))
    # Well under gunicorn's 30-second worker timeout; the command line reads without it.
    IMPORT_MAX_SECONDS = float(os.environ.get("IMPORT_MAX_SECONDS", 10))
    # Uploaded files read at once in the whole deployment (every worker, every machine;
    # tracker/imports/slots.py), at most one per user: the others are refused with a 429.
    IMPORT_MAX_CONCURRENT = int(os.environ.get("IMPORT_MAX_CONCURRENT", 1))

    # Number of reverse proxies in front of the app whose X-Forwarded-For to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    HSTS = False
    DEMO_DATA_ALLOWED = True
    PER_PAGE = 25
    # The pipeline flags an open engagement as stalled after this many days
    # without a dialogue session (counted from its start when it has none).
    STALLED_AFTER_DAYS = int(os.environ.get("STALLED_AFTER_DAYS", 60))
    # Officials see a figure counting fewer companies than this as "<3" (small-cell protection).
    SMALL_CELL_MINIMUM = int(os.environ.get("SMALL_CELL_MINIMUM", 3))
    # Audit rows keep the before/after text of confidential fields (session notes,
    # statements, insights, contacts...: tracker/audit/redaction.py) this many days;
    # `flask audit redact` then replaces it with "[redacted]", keeping the event.
    AUDIT_CONFIDENTIAL_RETENTION_DAYS = int(os.environ.get("AUDIT_CONFIDENTIAL_RETENTION_DAYS", 730))
    # A Server-Timing header (server time, SQL statements) on every response: for
    # developer tools and bench/, off unless SERVER_TIMING=1.
    SERVER_TIMING = os.environ.get("SERVER_TIMING") == "1"


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    # Tests only; production reads the secret from the environment.
    SECRET_KEY = "testing-only-not-a-secret"  # noqa: S105  # nosec B105
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")


class ProductionConfig(Config):
    SESSION_COOKIE_NAME = "__Host-tracker_session"
    SESSION_COOKIE_SECURE = True
    DEVICE_COOKIE_NAME = "__Host-tracker_device"
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    DEMO_DATA_ALLOWED = False
    REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

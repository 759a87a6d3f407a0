"""Configuration, read from the environment once, in one place."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str, default: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, default).split(",") if item.strip())


def instance_secret_key(instance_path: Path) -> str:
    """Return the secret key kept in instance/, creating it on first run.

    The key never lives in the repository; a deployment may set SECRET_KEY instead.
    """
    from app.core.files import private_directory, write_private

    private_directory(instance_path)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        write_private(key_file, secrets.token_hex(32))
    return key_file.read_text().strip()


class Config:
    INSTANCE_PATH = Path(os.environ.get("INSTANCE_PATH", PROJECT_ROOT / "instance"))
    SECRET_KEY = os.environ.get("SECRET_KEY")  # filled from instance/ when unset
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'tsunagu.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Sessions: the portal is used on shared desks, so sessions are short and cookies strict.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "9")))
    # However active, a session ends this many hours after signing in.
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS", "10"))

    WTF_CSRF_TIME_LIMIT = None  # a clerk may leave a form open over lunch

    # Behind the city's reverse proxy: how many proxies in front of the portal add to
    # X-Forwarded-For (0: none, the peer's address is the client's).
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
    # Addresses (or networks, e.g. 10.0.0.0/24) of the proxies allowed to send the trusted
    # sign-on header: the connection's own peer address is compared, never X-Forwarded-For.
    TRUSTED_PROXY_ADDRESSES = _list("TRUSTED_PROXY_ADDRESSES", "127.0.0.1")

    # Sign-in limits count failed attempts only. Per account name: a back-off for that account
    # alone. Per address: high, because a whole city hall may reach us through one proxy.
    LOGIN_ACCOUNT_FAILURE_LIMIT = os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "10 per 5 minutes")
    LOGIN_ADDRESS_FAILURE_LIMIT = os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "300 per 5 minutes")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False

    # Trusted-header single sign-on from an intranet reverse proxy: off unless asked for.
    TRUSTED_HEADER_SSO = _bool("TRUSTED_HEADER_SSO", False)
    TRUSTED_HEADER_NAME = os.environ.get("TRUSTED_HEADER_NAME", "REMOTE_USER")

    BABEL_DEFAULT_LOCALE = "ja"
    # The city's time zone: every date shown, stored as a day or compared is taken here.
    TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tokyo")
    BABEL_DEFAULT_TIMEZONE = TIME_ZONE  # create_app keeps it equal to TIME_ZONE
    LANGUAGES = ("ja", "en")

    # Background tasks: "sqlite" (embedded, no server) or "redis".
    TASK_BACKEND = os.environ.get("TASK_BACKEND", "sqlite")
    TASKS_IMMEDIATE = _bool("TASKS_IMMEDIATE", False)
    REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    # How long a queue server may take to answer before the admin is told it cannot be reached.
    QUEUE_TIMEOUT_SECONDS = float(os.environ.get("QUEUE_TIMEOUT_SECONDS", "3"))
    # A worker writes a heartbeat this often; /healthz counts a worker live for three beats.
    WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "15"))
    # A running job renews its lease while it works; one not renewed for this long (its worker
    # died) is taken over by another worker, its ffmpeg stopped and its temporary files removed.
    JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", "90"))
    # A job still "queued" after this long with no task in the queue is queued again.
    JOB_REQUEUE_AFTER_SECONDS = float(os.environ.get("JOB_REQUEUE_AFTER_SECONDS", "60"))

    MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", INSTANCE_PATH / "media"))
    # Uploads and conversions start only when MEDIA_ROOT keeps at least this much free space.
    MEDIA_MIN_FREE_MB = int(os.environ.get("MEDIA_MIN_FREE_MB", "500"))
    CONTENT_ROOT = Path(os.environ.get("CONTENT_ROOT", PROJECT_ROOT))

    CITY_NAME = os.environ.get("CITY_NAME", "あわら市")

    # The programme's figures (/programme). Training → referrals: a department counts as trained
    # from the quarter whose end first saw this share (%) of its staff through the courses below.
    PROGRAMME_COMPLETION_THRESHOLD = float(os.environ.get("PROGRAMME_COMPLETION_THRESHOLD", "80"))
    # The all-staff courses whose completion is compared with referrals (course ids, comma-separated).
    PROGRAMME_TRAINING_COURSES = _list("PROGRAMME_TRAINING_COURSES", "all-staff-tsunagu")
    # Counts from 1 up to this number less one are shown as 「5未満」, and shares of so few as 「—」.
    PROGRAMME_SMALL_CELL = int(os.environ.get("PROGRAMME_SMALL_CELL", "5"))
    # A case open longer than this many months is a long case (長期化ケース).
    PROGRAMME_LONG_CASE_MONTHS = int(os.environ.get("PROGRAMME_LONG_CASE_MONTHS", "12"))

    # Caseload and closure (app/casework); long cases are those of PROGRAMME_LONG_CASE_MONTHS.
    # No contact with the resident (a contact or a visit on the timeline) for this long stands out.
    CASE_NO_CONTACT_DAYS = int(os.environ.get("CASE_NO_CONTACT_DAYS", "30"))
    # The attempts to reach the resident the office agreed on before closing a case as refused
    # or unreachable.
    CASE_CLOSURE_ATTEMPTS = int(os.environ.get("CASE_CLOSURE_ATTEMPTS", "3"))

    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "200"))
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024

    # SCORM 1.2 packages (app/scorm): what a zip may hold before anything of it is unpacked.
    SCORM_MAX_ZIP_MB = int(os.environ.get("SCORM_MAX_ZIP_MB", "200"))
    SCORM_MAX_UNPACKED_MB = int(os.environ.get("SCORM_MAX_UNPACKED_MB", "500"))
    SCORM_MAX_ENTRIES = int(os.environ.get("SCORM_MAX_ENTRIES", "5000"))
    #: a file that unpacks to more than this many times its packed size is refused (a zip bomb)
    SCORM_MAX_RATIO = int(os.environ.get("SCORM_MAX_RATIO", "100"))
    #: where unpacked packages are kept (default: MEDIA_ROOT/scorm, so the media backup holds them)
    SCORM_ROOT = Path(os.environ["SCORM_ROOT"]) if os.environ.get("SCORM_ROOT") else None


class TestConfig(Config):
    TESTING = True
    TASKS_IMMEDIATE = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key"
    RATELIMIT_STORAGE_URI = "memory://"
    MEDIA_MIN_FREE_MB = 50

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


def _str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


def _optional(name: str) -> str | None:
    return os.environ.get(name) or None


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
    # Further engines. "autocommit" is made from the two settings above (app/core/database.py):
    # the progress report's single statements run on it without BEGIN/COMMIT round trips.
    SQLALCHEMY_BINDS: dict = {}
    # The embedded SQLite database runs in WAL mode (readers never block the writer) and a
    # writer waits this long for the lock instead of answering 「database is locked」.
    SQLITE_BUSY_TIMEOUT_SECONDS = _float("SQLITE_BUSY_TIMEOUT_SECONDS", 30.0)

    # Sessions: the portal is used on shared desks, so sessions are short and cookies strict.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_HOURS", "9")))
    # However active, a session ends this many hours after signing in.
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS", "10"))
    # The session cookie is signed again (its idle lifetime renewed) at most this often, not
    # on every response: a video's progress reports every few seconds need not re-sign it.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_REFRESH_SECONDS = int(os.environ.get("SESSION_REFRESH_SECONDS", "300"))

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

    # Sign-in against the city's directory (LDAP / Active Directory); off while LDAP_URL is empty.
    LDAP_URL = _str("LDAP_URL", "")
    LDAP_START_TLS = _bool("LDAP_START_TLS", False)
    LDAP_TIMEOUT_SECONDS = _float("LDAP_TIMEOUT_SECONDS", 5.0)
    # Bind as the employee with this DN ({login} is filled in), or leave it empty to find the
    # entry first with the service account below and bind as what was found.
    LDAP_BIND_DN_TEMPLATE = _str("LDAP_BIND_DN_TEMPLATE", "")
    LDAP_SERVICE_DN = _optional("LDAP_SERVICE_DN")
    LDAP_SERVICE_PASSWORD = _optional("LDAP_SERVICE_PASSWORD")
    LDAP_USER_BASE = _str("LDAP_USER_BASE", "")
    LDAP_USER_FILTER = _str(
        "LDAP_USER_FILTER", "(|(sAMAccountName={login})(uid={login})(employeeNumber={login}))"
    )
    LDAP_STAFF_NUMBER_ATTRIBUTE = _str("LDAP_STAFF_NUMBER_ATTRIBUTE", "employeeNumber")
    LDAP_NAME_ATTRIBUTE = _str("LDAP_NAME_ATTRIBUTE", "displayName")
    LDAP_KANA_ATTRIBUTE = _str("LDAP_KANA_ATTRIBUTE", "")
    LDAP_EMAIL_ATTRIBUTE = _str("LDAP_EMAIL_ATTRIBUTE", "mail")
    LDAP_DEPARTMENT_ATTRIBUTE = _str("LDAP_DEPARTMENT_ATTRIBUTE", "departmentNumber")
    # Groups: Active Directory's memberOf is read; with LDAP_GROUP_BASE the groups are searched.
    LDAP_GROUP_BASE = _str("LDAP_GROUP_BASE", "")
    LDAP_GROUP_FILTER = _str("LDAP_GROUP_FILTER", "(&(objectClass=groupOfNames)(member={dn}))")
    # Group → role, "DN=role;DN=role" (roles: training_admin, department_head, consultation, …).
    LDAP_GROUP_ROLES = _str("LDAP_GROUP_ROLES", "")

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
    TASK_DB = Path(
        os.environ.get("TASK_DB", INSTANCE_PATH / "tasks.sqlite3")
    )  # the embedded queue's file
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
    # Dates on official printouts (certificates, the meeting agenda, the print header of
    # spreadsheet exports): "wareki" 令和8年12月3日 or "seireki" 2026年12月3日. Data cells of
    # exports stay 西暦 (ISO dates) whatever this says, for the programs that read them.
    OFFICIAL_DATE_STYLE = os.environ.get("OFFICIAL_DATE_STYLE", "wareki")

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

    # --- videos ------------------------------------------------------------------------------
    VIDEO_MAX_MB = _int("VIDEO_MAX_MB", 200)
    VIDEO_MAX_MINUTES = _int("VIDEO_MAX_MINUTES", 60)
    VIDEO_COMPLETION_THRESHOLD = _float("VIDEO_COMPLETION_THRESHOLD", 0.9)
    # Playback up to this speed counts; a report claiming more is refused.
    VIDEO_MAX_SPEED = _float("VIDEO_MAX_SPEED", 2.0)
    VIDEO_REPORT_SLACK_SECONDS = _float("VIDEO_REPORT_SLACK_SECONDS", 3.0)
    # "" (the portal sends the file), "x-accel" (nginx) or "x-sendfile" (Apache, lighttpd).
    VIDEO_SENDFILE = _str("VIDEO_SENDFILE", "")
    VIDEO_X_ACCEL_PREFIX = _str("VIDEO_X_ACCEL_PREFIX", "/protected-media/")
    # Rendition name → shorter side in pixels: 「標準」 and 「軽量」.
    VIDEO_RENDITIONS = {"720": 720, "360": 360}
    VIDEO_X264_PRESET = _str("VIDEO_X264_PRESET", "veryfast")
    # A source that already is what the top rendition would be (H.264/AAC MP4, no larger, at
    # most this many kb/s) is published at ingest by stream copy; "0" always transcodes.
    VIDEO_PUBLISH_AS_IS = _bool("VIDEO_PUBLISH_AS_IS", True)
    VIDEO_COPY_MAX_KBPS = _int("VIDEO_COPY_MAX_KBPS", 5000)
    FFMPEG_BIN = _str("FFMPEG_BIN", "ffmpeg")

    # --- role-play video rendering (programs, dictionary, voices, fonts on this machine) -------
    RENDER_OPEN_JTALK = _str("RENDER_OPEN_JTALK", "open_jtalk")
    RENDER_FFMPEG = _str("RENDER_FFMPEG", "ffmpeg")
    RENDER_FFPROBE = _str("RENDER_FFPROBE", "ffprobe")
    RENDER_JTALK_DICT = _str("RENDER_JTALK_DICT", "/var/lib/mecab/dic/open-jtalk/naist-jdic")
    RENDER_VOICE_DIRS = _str(
        "RENDER_VOICE_DIRS", ""
    )  # extra folders with .htsvoice files, separated by os.pathsep
    RENDER_FONT = _str("RENDER_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    RENDER_FONT_BOLD = _str(
        "RENDER_FONT_BOLD", "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
    )
    RENDER_WIDTH = _int("RENDER_WIDTH", 1280)
    RENDER_HEIGHT = _int("RENDER_HEIGHT", 720)
    RENDER_FPS = _int("RENDER_FPS", 25)

    # --- training reminders ----------------------------------------------------------------
    REMINDER_EMAIL = _bool("REMINDER_EMAIL", False)
    REMINDER_DAYS_BEFORE = _int("REMINDER_DAYS_BEFORE", 7)
    PORTAL_URL = _optional(
        "PORTAL_URL"
    )  # e.g. https://tsunagu.city.awara.lg.jp, for links in e-mails
    MAIL_FROM = _str("MAIL_FROM", "tsunagu@localhost")
    SMTP_HOST = _optional("SMTP_HOST")
    SMTP_PORT = _int("SMTP_PORT", 25)
    SMTP_USER = _optional("SMTP_USER")
    SMTP_PASSWORD = _optional("SMTP_PASSWORD")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)

    # --- referrals and cases -----------------------------------------------------------------
    # Encryption keys for residents' data (comma-separated Fernet keys, newest first) and the key
    # for the kana look-up hashes; unset, they are kept in instance/ (see docs/settings.md).
    REFERRAL_KEYS = _optional("REFERRAL_KEYS")
    REFERRAL_HASH_KEY = _optional("REFERRAL_HASH_KEY")
    # Defaults for wording the city confirms locally; each can be set in the environment.
    # Shown in the call-now panel when a referral involves a risk to life or safety.
    REFERRAL_OFFICE_EXTENSION = _str("REFERRAL_OFFICE_EXTENSION", "内線 281")
    REFERRAL_EMERGENCY_NUMBERS = _str("REFERRAL_EMERGENCY_NUMBERS", "110 / 119")
    # When the office answers, and where staff turn outside those hours.
    REFERRAL_OFFICE_HOURS = _str("REFERRAL_OFFICE_HOURS", "平日 8:30～17:15")
    REFERRAL_AFTER_HOURS = _str(
        "REFERRAL_AFTER_HOURS",
        "夜間・休日は市役所の代表電話（宿日直）へ。命に関わるときは、まず110番・119番。",
    )
    # What the form says when the resident has not consented (docs/consent-model.md). The legal
    # reading is the city's legal office's to confirm: set these to the wording it approves.
    REFERRAL_NO_CONSENT_ROUTE_JA = _str(
        "REFERRAL_NO_CONSENT_ROUTE_JA",
        (
            "ご本人の同意がないときは、担当業務で知ったこと（税・国保税の窓口で聞いた家族・仕事・健康・お金の事情を含みます）を"  # legal: no-consent, tax-secrecy
            "相談室に伝えることはできません。ご本人に相談室のこと（チラシ・内線・開庁時間）を伝え、同意の状況を記録してください。"  # legal: no-consent
            "相談室に対応の助言を求めるときは、「住民を特定しない相談」を選び、氏名や番号を書かずに送れます。"  # legal: no-consent
            "子どもや高齢者・障がい者への虐待の疑い、配偶者からの暴力、命の危険があるときは、同意がなくても通告・通報します"  # legal: child-abuse, elder-abuse, dv, emergency
            "（命の危険は、まず110番・119番）。支援会議で扱うかどうかは、相談室が判断します。"  # legal: emergency, support-meeting
        ),
    )
    REFERRAL_NO_CONSENT_ROUTE_EN = _str(
        "REFERRAL_NO_CONSENT_ROUTE_EN",
        (
            "Without the resident's consent, do not pass on anything you learned in your own work (at the tax and "  # legal: no-consent, tax-secrecy
            "national health insurance tax desks this includes what the resident said about family, work, health "  # legal: tax-secrecy
            "or money). Tell the resident about the office (leaflet, extension, hours) and record the consent state. "  # legal: no-consent
            "To ask the office's advice, choose 'a consultation that does not identify the resident' and leave out "  # legal: no-consent
            "names and numbers. Suspected abuse of a child, an older or disabled person, violence by a partner or a "  # legal: child-abuse, elder-abuse, dv
            "danger to life are notified even without consent (danger to life: call 110 or 119 first). Whether a "  # legal: emergency
            "support meeting (支援会議) takes the case up is the office's decision."  # legal: support-meeting
        ),
    )
    REFERRAL_AREAS = _str(
        "REFERRAL_AREAS",
        "金津地区,芦原地区,本荘地区,新郷地区,伊井地区,剱岳地区,吉崎地区,細呂木地区,北潟地区,波松地区",
    )
    CASE_REVIEW_DAYS = _int(
        "CASE_REVIEW_DAYS", 91
    )  # default interval between reviews (three months)
    CASE_REVIEW_DAYS_HIGH_RISK = _int("CASE_REVIEW_DAYS_HIGH_RISK", 30)
    CASE_STALE_DAYS = _int(
        "CASE_STALE_DAYS", 30
    )  # no timeline entry for this long → on the stale list
    REFERRAL_RETENTION_YEARS = _int(
        "REFERRAL_RETENTION_YEARS", 5
    )  # closed records are anonymised after this


class TestConfig(Config):
    TESTING = True
    TASKS_IMMEDIATE = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "test-secret-key"
    RATELIMIT_STORAGE_URI = "memory://"
    MEDIA_MIN_FREE_MB = 50

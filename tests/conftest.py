"""Shared fixtures: a real database (SQLite in a temp dir, or PostgreSQL from
``TEST_DATABASE_URL``), the app, a client, and small factories."""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.config import TestConfig
from app.core import clock, database
from app.extensions import db as _db
from app.extensions import limiter


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3"), {}
        return
    # One schema per test process, so parallel runs on the shared server never collide.
    schema = f"test_{os.getpid()}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


def make_config(database_url, instance_dir, **overrides) -> dict:
    url, engine_options = database_url
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, **engine_options},
        MEDIA_ROOT=instance_dir / "media",
    )
    config.update(overrides)
    return config


_schema_ready: set[str] = set()


class FreshContextClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    Otherwise a request would reuse the test's pushed context, and ``g`` (the signed-in
    user, the locale) would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def build_app(database_url, instance_dir, **overrides):
    app = create_app(make_config(database_url, instance_dir, **overrides))
    app.instance_path = str(instance_dir)
    app.test_client_class = FreshContextClient
    with app.app_context():
        if database_url[0] not in _schema_ready:
            _db.create_all()
            _schema_ready.add(database_url[0])
    return app


def empty_all_tables(app) -> None:
    with app.app_context():
        _db.session.remove()
        try:
            with _db.engine.begin() as conn:
                for table in reversed(_db.metadata.sorted_tables):
                    conn.execute(table.delete())
        finally:  # whatever happened, no pooled connection outlives the test's app
            database.dispose_all()


@pytest.fixture
def app(database_url, instance_dir):
    app = build_app(database_url, instance_dir)
    limiter.reset()
    ctx = app.app_context()
    ctx.push()
    yield app
    ctx.pop()
    empty_all_tables(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    return _db


#: 23:30 on 31 March on a server kept on UTC: already 08:30 on 1 April at the city hall.
LATE_EVENING_UTC = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def utc_late_evening(monkeypatch):
    """Run under a process clock on UTC at 23:30, when the city's date is already tomorrow.

    The process zone is UTC (so anything reading the server's local date would get 31 March)
    and the portal's one clock is frozen at that instant.
    """
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    monkeypatch.setattr(clock, "system_now", lambda: LATE_EVENING_UTC)
    yield LATE_EVENING_UTC
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


# --- `make test` does not pass with browser or media tests skipped ---------------------------
# A test skipped because a system package is missing (ffmpeg, chromium, Open JTalk …) would
# let the suite "pass" on a machine that cannot do what it claims. `make test` sets
# TSUNAGU_FULL_SUITE=1; such skips then fail the run unless ALLOW_SKIP=1.

_SYSTEM_SKIP = re.compile(r"apt-get|ffmpeg|chromium|playwright|open.?jtalk|noto", re.IGNORECASE)
_system_skips: list[str] = []


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _note_skip(report) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = _skip_reason(report)
        if _SYSTEM_SKIP.search(reason):
            _system_skips.append(f"{report.nodeid or '(collection)'}: {reason}")


def pytest_runtest_logreport(report):
    _note_skip(report)


def pytest_collectreport(report):
    _note_skip(report)


def full_suite_required() -> bool:
    return os.environ.get("TSUNAGU_FULL_SUITE") == "1" and os.environ.get("ALLOW_SKIP", "") not in (
        "1",
        "true",
        "yes",
    )


def pytest_terminal_summary(terminalreporter):
    if _system_skips and full_suite_required():
        terminalreporter.section("browser or media tests were skipped", sep="=", red=True)
        for line in _system_skips[:20]:
            terminalreporter.write_line(line)
        terminalreporter.write_line(
            "Install the missing packages (scripts/system-packages.sh test) or run with ALLOW_SKIP=1."
        )


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    if _system_skips and full_suite_required() and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

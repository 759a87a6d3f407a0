"""Throughput of the watched-progress report endpoint against a bare Flask endpoint.

The portal side is the real thing: the real app on a real database, a signed-in employee, the
player's own request (multipart form with the CSRF token, the viewing session, the ranges as
JSON and the position). The report runs as in production: its read and its one conditional
UPDATE on the app's autocommit engine (app/core/database.py: the same database, options and
SQLite pragmas, no BEGIN/COMMIT around a single statement, no ping when a connection leaves the
pool). The baseline is a bare Flask app that parses the same form and runs one comparable
UPDATE of a ``video_progress`` row the way a plain Flask handler writes, in a transaction of
the app's main engine (``engine.begin()``), and nothing else: no sign-in, CSRF, permission
check, merge or wall-clock check. Both are driven in-process through the WSGI test client,
interleaved in rounds, so the ratio shows the portal's own overhead. Goal: ratio >= 0.8.

    python benchmarks/bench_video_progress.py [--reports 50] [--rounds 40] [--url URL]

SQLite (a fresh file in a temporary folder) always; PostgreSQL too when ``--url`` (or
TEST_DATABASE_URL, or the local default server) answers, in a schema made for the run and
dropped after; an unreachable server is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
TMP = Path(tempfile.mkdtemp(prefix="bench-progress-"))
os.environ.setdefault("INSTANCE_PATH", str(TMP))
os.environ.setdefault("TASK_DB", str(TMP / "tasks.sqlite3"))
os.environ["TASKS_IMMEDIATE"] = "1"

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GOAL = 0.8


def build_portal(url: str, schema: str | None = None):
    from app import create_app
    from app.extensions import db

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "MEDIA_ROOT": TMP / "media",
        "TASKS_IMMEDIATE": True,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }
    if schema:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": f"-csearch_path={schema}"},
        }
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app


def seed(app):
    """One employee, one published one-hour video, a viewing session opened a day ago."""
    from werkzeug.security import generate_password_hash

    from app.accounts.models import Department, Employee
    from app.core.models import utcnow
    from app.extensions import db
    from app.videos.models import Video

    with app.app_context():
        department = Department(code="B001", name_ja="ベンチ課")
        employee = Employee(
            staff_number="900001",
            name="計測 太郎",
            name_kana="ケイソク タロウ",
            department=department,
            password_hash=generate_password_hash("bench-password", method="pbkdf2:sha256:1000"),
        )
        video = Video(
            slug="bench-video",
            title_ja="計測用",
            version=1,
            duration=3600.0,
            width=1280,
            height=720,
            published_at=utcnow(),
            caption_languages=[],
        )
        other = Video(
            slug="bench-baseline",
            title_ja="基準用",
            version=1,
            duration=3600.0,
            published_at=utcnow(),
        )
        db.session.add_all([department, employee, video, other])
        db.session.commit()
        return employee.id, video.id, other.id


def portal_client(app):
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    login_csrf = re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page
    ).group(1)
    response = client.post(
        "/login", data={"login": "900001", "password": "bench-password", "csrf_token": login_csrf}
    )
    assert response.status_code == 302, response.status_code
    html = client.get("/videos/bench-video").get_data(as_text=True)
    token = re.search(r'data-session="([^"]+)"', html).group(1)
    csrf = re.search(r'data-csrf="([^"]+)"', html).group(1)
    from app.extensions import db
    from app.videos.models import ViewingSession

    with app.app_context():  # as if the page had been open for a day: the speed check passes
        viewing = db.session.scalar(db.select(ViewingSession).where(ViewingSession.token == token))
        viewing.started_at -= timedelta(days=1)
        db.session.commit()
    return client, token, csrf


def build_bare(engine):
    """The baseline: plain Flask, the same form parsed, one UPDATE of one row per request."""
    from flask import Flask, request
    from sqlalchemy import text

    bare = Flask("bare")
    update = text(
        "UPDATE video_progress SET intervals = :i, watched_seconds = :w, position = :p,"
        " updated_at = CURRENT_TIMESTAMP WHERE id = :id"
    )

    @bare.post("/bare/<int:row_id>")
    def write(row_id: int):
        ranges = json.loads(request.form["ranges"])
        watched = sum(end - start for start, end in ranges)
        with engine.begin() as conn:
            conn.execute(
                update,
                {
                    "i": json.dumps(ranges),
                    "w": watched,
                    "p": float(request.form["position"]),
                    "id": row_id,
                },
            )
        return {"watched_seconds": watched, "percent": int(watched / 36), "completed": False}

    return bare


def player_form(end: float, **fields) -> dict:
    """What the player posts: a multipart form (FormData), the whole union of played ranges."""
    return {**fields, "ranges": json.dumps([[0, end]]), "position": str(end)}


def run_portal(client, token, csrf, start: int, reports: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + reports):
        response = client.post(
            "/videos/bench-video/progress",
            data=player_form(0.5 * (i + 1), csrf_token=csrf, session=token),
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
    return reports / (time.perf_counter() - began)


def run_bare(client, row_id: int, start: int, reports: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + reports):
        response = client.post(
            f"/bare/{row_id}",
            data=player_form(0.5 * (i + 1), csrf_token="x", session="x"),
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200
    return reports / (time.perf_counter() - began)


def floor_switch():
    """Run a side with the report's own work (merge, UPDATE) replaced by a constant answer.

    Everything else of the request stays: the session cookie, the CSRF token, the sign-in
    check's statement, the permission decorator, the form and JSON parsing, the response hooks.
    """
    from app.videos import service

    real = service.record_report
    constant = service.ReportOutcome(1.0, 0.5, False, False, 0.0)

    def run(side):
        service.record_report = lambda *args, **kwargs: constant
        try:
            return side()
        finally:
            service.record_report = real

    return run


def measure(label: str, url: str, reports: int, rounds: int, schema: str | None = None) -> float:
    from app.core import database
    from app.extensions import db
    from app.videos.models import VideoProgress

    app = build_portal(url, schema)
    _employee_id, _video_id, other_video_id = seed(app)
    client, token, csrf = portal_client(app)
    run_portal(client, token, csrf, 0, 20)  # warm up, and create the progress row
    with app.app_context():  # the bare endpoint writes a row of its own in the same table
        portal_row = db.session.scalar(db.select(VideoProgress))
        bare_row = VideoProgress(
            employee_id=portal_row.employee_id,
            video_id=other_video_id,
            version=1,
            intervals=[],
            watched_seconds=0.0,
            position=0.0,
        )
        db.session.add(bare_row)
        db.session.commit()
        row_id = bare_row.id
        engine = db.engine  # the main engine: its pool, pragmas and pre-ping
    bare_client = build_bare(engine).test_client()
    run_bare(bare_client, row_id, 0, 20)

    floor = floor_switch()

    # Many short rounds, each the three sides measured back to back (in rotating order): on a
    # shared machine the load drifts, and a round sees the same load on every side.
    sides = {
        "bare": lambda: run_bare(bare_client, row_id, offset, reports),
        "portal": lambda: run_portal(client, token, csrf, offset, reports),
        "floor": lambda: floor(lambda: run_portal(client, token, csrf, offset, reports)),
    }
    rates: dict[str, list[float]] = {name: [] for name in sides}
    ratios, floor_ratios = [], []
    offset = 20
    for n in range(rounds):
        order = list(sides)[n % 3 :] + list(sides)[: n % 3]
        measured = {}
        for name in order:
            measured[name] = sides[name]()
            offset += reports
        for name, rate in measured.items():
            rates[name].append(rate)
        ratios.append(measured["portal"] / measured["bare"])
        floor_ratios.append(measured["floor"] / measured["bare"])
    portal, baseline, ratio = (
        statistics.median(rates["portal"]),
        statistics.median(rates["bare"]),
        statistics.median(ratios),
    )
    with app.app_context():
        db.session.remove()
        if schema:
            from sqlalchemy import text

            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        database.dispose_all()
    print(f"[{label}] reports per round: {reports}  rounds: {rounds}")
    print(f"[{label}] bare Flask single-row write: {baseline:8.1f} requests/s (median)")
    print(f"[{label}] portal progress report:      {portal:8.1f} requests/s (median)")
    print(
        f"[{label}] the portal's request stack alone (sign-in check, CSRF, permission, hooks; a"
        f" constant answer instead of the merge and UPDATE): {statistics.median(floor_ratios):.2f}"
        f" of the bare write (quartiles {_quartiles(floor_ratios)})"
    )
    print(
        f"[{label}] ratio (portal / bare): {ratio:.2f}  (goal >= {GOAL}; median of the rounds'"
        f" ratios, quartiles {_quartiles(ratios)})"
    )
    return ratio


def _quartiles(values: list[float]) -> str:
    low, _median, high = statistics.quantiles(values, n=4)
    return f"{low:.2f}–{high:.2f}"


def postgres_schema(url: str) -> str | None:
    """A schema of its own for the run, or None (and a note) when the server does not answer."""
    from sqlalchemy import create_engine, text

    schema = f"bench_progress_{os.getpid()}"
    try:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - an unreachable server only skips that half
        print(f"[postgresql] skipped: {url.split('@')[-1]} not reachable ({type(exc).__name__})")
        return None
    return schema


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50, help="reports per side and round")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--url", help="PostgreSQL URL (default: TEST_DATABASE_URL or local)")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    ratios = {
        "sqlite": measure("sqlite", f"sqlite:///{TMP / 'bench.sqlite3'}", args.reports, args.rounds)
    }
    if not args.sqlite_only:
        url = args.url or os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES
        schema = postgres_schema(url)
        if schema:
            ratios["postgresql"] = measure("postgresql", url, args.reports, args.rounds, schema)
    # The goal is the production database's (deploy/tsunagu.env.example: PostgreSQL), where a
    # write costs round trips; on SQLite a write costs microseconds, so the ratio is mostly the
    # request stack's own cost (see the "request stack alone" line above).
    judged = "postgresql" if "postgresql" in ratios else "sqlite"
    met = ratios[judged] >= GOAL
    print(f"goal on {judged}: ratio >= {GOAL} — " + ("met" if met else "NOT met"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

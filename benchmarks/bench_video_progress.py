"""Throughput of the watched-progress report endpoint against a bare Flask endpoint.

Both endpoints receive the same form (session token, ranges as JSON, position) and write to
the same ``video_progress`` row of the same database; the bare one is a plain Flask app doing
that single-row UPDATE and nothing else (no sign-in, CSRF, permission check, merge or
wall-clock check). Both are driven in-process through the WSGI test client, interleaved in
rounds, so the ratio shows the portal's own overhead. Goal: ratio >= 0.8.

    python benchmarks/bench_video_progress.py [--reports 400] [--rounds 5]

DATABASE_URL selects the database (default: a fresh SQLite file in a temporary folder).
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


def build_portal(url: str):
    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "MEDIA_ROOT": TMP / "media",
            "TASKS_IMMEDIATE": True,
            "RATELIMIT_ENABLED": False,
        }
    )
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


def build_bare(url: str, engine_options: dict):
    """The baseline: plain Flask, one UPDATE of the same row per request."""
    from flask import Flask, request
    from sqlalchemy import create_engine, text

    engine = create_engine(url, **engine_options)
    bare = Flask("bare")

    @bare.post("/bare/<int:row_id>")
    def write(row_id: int):
        ranges = json.loads(request.form["ranges"])
        watched = sum(end - start for start, end in ranges)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE video_progress SET intervals = :i, watched_seconds = :w, position = :p WHERE id = :id"
                ),
                {
                    "i": json.dumps(ranges),
                    "w": watched,
                    "p": float(request.form["position"]),
                    "id": row_id,
                },
            )
        return {"percent": int(watched / 36)}

    return bare, engine


def run_portal(client, token, csrf, start: int, reports: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + reports):
        end = 0.5 * (i + 1)
        response = client.post(
            "/videos/bench-video/progress",
            data={
                "csrf_token": csrf,
                "session": token,
                "ranges": json.dumps([[0, end]]),
                "position": str(end),
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)
    return reports / (time.perf_counter() - began)


def run_bare(client, row_id: int, start: int, reports: int) -> float:
    began = time.perf_counter()
    for i in range(start, start + reports):
        end = 0.5 * (i + 1)
        response = client.post(
            f"/bare/{row_id}",
            data={"session": "x", "ranges": json.dumps([[0, end]]), "position": str(end)},
        )
        assert response.status_code == 200
    return reports / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", f"sqlite:///{TMP / 'bench.sqlite3'}")

    app = build_portal(url)
    app.config["WTF_CSRF_ENABLED"] = True
    _employee_id, _video_id, other_video_id = seed(app)
    client, token, csrf = portal_client(app)
    run_portal(client, token, csrf, 0, 20)  # warm up, and create the progress row
    from app.extensions import db
    from app.videos.models import VideoProgress

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
    bare, engine = build_bare(url, {"pool_pre_ping": True})
    bare_client = bare.test_client()
    run_bare(bare_client, row_id, 0, 20)

    portal_rates, bare_rates = [], []
    offset = 20
    for _ in range(args.rounds):
        bare_rates.append(run_bare(bare_client, row_id, offset, args.reports))
        portal_rates.append(run_portal(client, token, csrf, offset, args.reports))
        offset += args.reports
    portal, baseline = statistics.median(portal_rates), statistics.median(bare_rates)
    engine.dispose()
    print(
        f"database: {url.split(':', 1)[0]}  reports per round: {args.reports}  rounds: {args.rounds}"
    )
    print(f"bare Flask single-row write: {baseline:8.1f} requests/s (median)")
    print(f"portal progress report:      {portal:8.1f} requests/s (median)")
    print(f"ratio (portal / bare): {portal / baseline:.2f}  (goal >= 0.8)")


if __name__ == "__main__":
    main()

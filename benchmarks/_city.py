"""What the city-scale benchmarks build alike: a work folder, an app on SQLite, 5 部 × 8 課 and
bulk-inserted staff.

Import it before anything of ``app``: :func:`work_folder` sets the instance folder and task
queue the settings read when ``app.config`` is imported.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIVISIONS, SECTIONS_PER_DIVISION = 5, 8
PASSWORD = "benchmark-password"


def work_folder(prefix: str) -> Path:
    """A temporary folder for the databases, with the portal's instance folder and task queue
    inside it, out of the project."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ.setdefault("INSTANCE_PATH", str(work / "instance"))
    os.environ.setdefault("TASK_DB", str(work / "tasks.sqlite3"))
    return work


def make_app(path: Path | None = None, **settings):
    """The portal with its tables created: on a fresh SQLite database at ``path``, written
    without waiting for the disk, or on the database that ``settings`` name
    (``SQLALCHEMY_DATABASE_URI``, ``SQLALCHEMY_ENGINE_OPTIONS``)."""
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    database = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"} if path is not None else {}
    app = create_app(
        {
            **database,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "TASKS_IMMEDIATE": True,
            "RATELIMIT_ENABLED": False,
            **settings,
        }
    )
    with app.app_context():
        db.create_all()
        if path is not None:
            # Loading need not wait for the disk; the pages are measured the same.
            event.listen(
                db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA synchronous=OFF")
            )
            db.engine.dispose()
    return app


def postgres_schema(url: str, schema: str) -> dict:
    """Create ``schema`` afresh on the PostgreSQL server at ``url``; returns the settings that
    put the portal in it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }


def departments() -> tuple[list, list]:
    """5 部 of 8 課 each (names as long as a real city's), flushed: (divisions, sections)."""
    from app.accounts.models import Department
    from app.extensions import db

    divisions, sections = [], []
    for d in range(DIVISIONS):
        division = Department(
            code=f"{d + 1}000", name_ja=f"第{d + 1}市民生活部", sort_order=d * 100
        )
        db.session.add(division)
        db.session.flush()
        divisions.append(division)
        for s in range(SECTIONS_PER_DIVISION):
            section = Department(
                code=f"{d + 1}0{s + 1}0",
                name_ja=f"保険年金第{s + 1}課",
                parent_id=division.id,
                sort_order=d * 100 + s + 1,
            )
            db.session.add(section)
            sections.append(section)
    db.session.flush()
    return divisions, sections


def staff(count: int, section_ids: list[int]) -> None:
    """``count`` employees spread over the sections (staff numbers from 100000), inserted in
    one statement."""
    from sqlalchemy import insert

    from app.accounts.models import Employee
    from app.extensions import db

    db.session.execute(
        insert(Employee),
        [
            {
                "staff_number": f"{n + 100000}",
                "name": f"職員 {n}",
                "name_kana": "ショクイン",
                "department_id": section_ids[n % len(section_ids)],
                "active": True,
                "position": "主事",
            }
            for n in range(count)
        ],
    )
    db.session.commit()

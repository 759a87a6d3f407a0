"""HR completion dashboard: SQL statements per page and render time, 2,000 vs 20,000 staff.

Builds two SQLite databases in a temporary folder (5 部 × 8 課, 40 required courses, every
employee assigned every course: 80,000 and 800,000 assignment rows, bulk-inserted), signs in
as the training admin and renders each dashboard page several times. Prints, per page, the
number of SQL statements (counted with SQLAlchemy's ``before_cursor_execute`` event; must be
equal at both sizes) and the median render time, then the growth ratio 20,000 / 2,000
(goal: at most 10×, i.e. no worse than linear in the data). Exits non-zero when a query count
differs or the ratio exceeds the goal.

    .venv/bin/python benchmarks/bench_dashboard.py [--small 2000] [--large 20000] [--courses 40]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
# Keep the portal's instance folder and task queue out of the project while benchmarking.
os.environ.setdefault("INSTANCE_PATH", str(WORK / "instance"))
os.environ.setdefault("TASK_DB", str(WORK / "tasks.sqlite3"))

from sqlalchemy import event, insert  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Department, Employee, EmployeeRole  # noqa: E402
from app.courses.models import Course  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "benchmark-password"
DIVISIONS, SECTIONS_PER_DIVISION = 5, 8
GOAL_RATIO = 10.0
REPEATS = 5


def build(employees: int, courses: int, path: Path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "bench",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "TASKS_IMMEDIATE": True,
        }
    )
    rng = random.Random(employees)
    today = date.today()
    with app.app_context():
        db.create_all()
        sections = []
        for d in range(DIVISIONS):
            division = Department(code=f"{d + 1}000", name_ja=f"第{d + 1}部", sort_order=d * 100)
            db.session.add(division)
            db.session.flush()
            for s in range(SECTIONS_PER_DIVISION):
                section = Department(
                    code=f"{d + 1}0{s + 1}0",
                    name_ja=f"第{d + 1}部 第{s + 1}課",
                    parent_id=division.id,
                    sort_order=d * 100 + s + 1,
                )
                db.session.add(section)
                sections.append(section)
        for c in range(courses):
            db.session.add(
                Course(
                    slug=f"course-{c:02d}",
                    title_ja=f"研修{c + 1:02d}",
                    items=[
                        {"kind": "quiz", "slug": f"quiz-{c}", "optional": False, "title_ja": "確認"}
                    ],
                    completion="all",
                    required_for={"all_staff": True},
                    due_within_days=90,
                    version=1,
                    content_hash="0" * 64,
                    source_path=f"courses/course-{c:02d}.md",
                    sort_order=c,
                )
            )
        db.session.flush()
        section_ids = [s.id for s in sections]
        course_ids = list(db.session.scalars(db.select(Course.id).order_by(Course.id)))
        admin = Employee(
            staff_number="000001",
            name="人事 研修",
            name_kana="ジンジ ケンシュウ",
            department_id=section_ids[0],
            active=True,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        admin.role_rows = [EmployeeRole(role="training_admin")]
        db.session.add(admin)
        db.session.commit()

        rows = [
            {
                "staff_number": f"{n + 100000}",
                "name": f"職員 {n}",
                "name_kana": "ショクイン",
                "department_id": section_ids[n % len(section_ids)],
                "active": True,
                "position": "主事",
            }
            for n in range(employees - 1)
        ]
        db.session.execute(insert(Employee), rows)
        db.session.commit()
        employees_by_department = db.session.execute(
            db.select(Employee.id, Employee.department_id)
        ).all()
        assigned_on = today - timedelta(days=120)
        # Plain DB-API executemany: the ORM's per-row work would dominate the set-up time.
        columns = (
            "employee_id",
            "course_id",
            "department_id",
            "required",
            "status",
            "progress",
            "assigned_on",
            "due_on",
            "completed_at",
            "completed_version",
            "updated_at",
        )
        sql = f"INSERT INTO course_assignment ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        now = datetime.now().isoformat(sep=" ")
        batch = []
        connection = db.session.connection().connection.driver_connection
        for employee_id, department_id in employees_by_department:
            for course_id in course_ids:
                draw = rng.random()
                completed_at = None
                if draw < 0.55:
                    status, progress = "completed", 1.0
                    completed_at = (
                        f"{assigned_on + timedelta(days=rng.randint(1, 119))} 09:00:00.000000"
                    )
                elif draw < 0.7:
                    status, progress = "in_progress", 0.5
                else:
                    status, progress = "not_started", 0.0
                due_on = assigned_on + timedelta(days=rng.choice((60, 90, 150)))
                batch.append(
                    (
                        employee_id,
                        course_id,
                        department_id,
                        1,
                        status,
                        progress,
                        assigned_on.isoformat(),
                        due_on.isoformat(),
                        completed_at,
                        1 if completed_at else None,
                        now,
                    )
                )
                if len(batch) >= 100_000:
                    connection.executemany(sql, batch)
                    batch = []
        if batch:
            connection.executemany(sql, batch)
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return app, section_ids[3], course_ids[0]


def measure(app, section_id: int, course_id: int) -> dict[str, tuple[int, float]]:
    pages = {
        "dashboard (all courses)": "/reports/",
        "dashboard (one course)": f"/reports/?course={course_id}",
        "drill-down (one 課)": f"/reports/departments/{section_id}",
        "overdue list": "/reports/overdue",
        "learner home": "/",
    }
    client = app.test_client()
    response = client.post("/login", data={"login": "000001", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    results = {}
    with app.app_context():
        engine = db.engine
    for name, url in pages.items():
        counts, times = [], []
        for _ in range(REPEATS):
            statements = []

            def count(
                conn, cursor, statement, parameters, context, executemany, statements=statements
            ):
                statements.append(statement)

            event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200, (url, response.status_code)
            counts.append(len(statements))
            times.append(elapsed)
        results[name] = (max(counts), statistics.median(times))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--courses", type=int, default=40)
    args = parser.parse_args()

    measured = {}
    for size in (args.small, args.large):
        started = time.perf_counter()
        app, section_id, course_id = build(size, args.courses, WORK / f"bench-{size}.sqlite3")
        print(
            f"built {size:,} employees × {args.courses} courses ({size * args.courses:,} assignment rows) in {time.perf_counter() - started:.1f} s"
        )
        measured[size] = measure(app, section_id, course_id)

    print()
    print(f"{'page':28} {'queries':>9} {'queries':>9} {'ms':>9} {'ms':>9} {'ratio':>7}")
    print(f"{'':28} {args.small:>9,} {args.large:>9,} {args.small:>9,} {args.large:>9,}")
    ok = True
    for name in measured[args.small]:
        q_small, t_small = measured[args.small][name]
        q_large, t_large = measured[args.large][name]
        ratio = t_large / t_small if t_small else float("inf")
        flag = "" if q_small == q_large and ratio <= GOAL_RATIO else "  <-- over the goal"
        ok = ok and not flag
        print(
            f"{name:28} {q_small:>9} {q_large:>9} {t_small * 1000:>9.1f} {t_large * 1000:>9.1f} {ratio:>6.1f}×{flag}"
        )
    print()
    print(
        f"goal: equal query counts and render time growth ≤ {GOAL_RATIO:.0f}× for {args.large / args.small:.0f}× the staff — "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

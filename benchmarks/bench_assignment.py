"""Applying the assignment rules: first run at 2,000 and 20,000 staff × 40 courses, as a ratio
to a bare INSERT … SELECT of the same rows.

Builds a database per size (5 部 × 8 課 + 5 部-level offices = 45 departments, staff spread
over them with positions and a few roles; 40 active courses: most for all staff, some by 部 or
課, by position or by role), then times ``apply_assignments()`` on the empty assignment table
(the first ``flask courses apply``). The baseline writes exactly the rows it produced with one
``INSERT INTO course_assignment … SELECT`` from a copy, in the same database, so the ratio is
what the rules cost over writing the rows at all (goal: ≤ 3×). A second run with nothing to
change is shown too.

    .venv/bin/python benchmarks/bench_assignment.py [--sizes 2000 20000] [--courses 40]
                                                    [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import _city

WORK = _city.work_folder("bench-assignment-")

from sqlalchemy import insert, text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts.models import Department, Employee, EmployeeRole  # noqa: E402
from app.courses import service  # noqa: E402
from app.courses.models import Assignment, Course  # noqa: E402
from app.extensions import db  # noqa: E402

GOAL = 3.0
DIVISIONS, SECTIONS = 5, 8
POSITIONS = ["主事", "主事", "主事", "主査", "係長", "課長補佐", "課長"]
COLUMNS = (
    "employee_id",
    "course_id",
    "department_id",
    "required",
    "status",
    "progress",
    "assigned_on",
    "due_on",
    "updated_at",
)


def rule_for(c: int, division_codes: list[str], section_codes: list[str]) -> dict:
    kind = c % 8
    if kind == 5:
        return {"departments": [division_codes[c % len(division_codes)]]}
    if kind == 6:
        return {"departments": section_codes[c % 7 :: 9][:3], "positions": ["課長"]}
    if kind == 7:
        return {"roles": ["department_head"], "positions": ["係長", "課長補佐"]}
    return {"all_staff": True}


def build(size: int, courses: int, url: str | None):
    if url:
        config = _city.postgres_schema(url, f"bench_assignment_{size}")
    else:
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{WORK / f'assign-{size}.sqlite3'}"}
    app = create_app({**config, "SECRET_KEY": "bench", "TESTING": True, "TASKS_IMMEDIATE": True})
    with app.app_context():
        db.create_all()
        division_codes, section_codes, department_ids = [], [], []
        for d in range(DIVISIONS):
            division = Department(code=f"{d + 1}000", name_ja=f"第{d + 1}部", sort_order=d * 100)
            db.session.add(division)
            db.session.flush()
            division_codes.append(division.code)
            department_ids.append(division.id)  # the 部's own office
            for s in range(SECTIONS):
                section = Department(
                    code=f"{d + 1}0{s + 1}0",
                    name_ja=f"第{d + 1}部 第{s + 1}課",
                    parent_id=division.id,
                )
                db.session.add(section)
                db.session.flush()
                section_codes.append(section.code)
                department_ids.append(section.id)
        for c in range(courses):
            db.session.add(
                Course(
                    slug=f"course-{c:02d}",
                    title_ja=f"研修{c + 1:02d}",
                    items=[],
                    completion="all",
                    required_for=rule_for(c, division_codes, section_codes),
                    due_within_days=90 if c % 2 else None,
                    due_on=None,
                    version=1,
                    content_hash="0" * 64,
                    source_path=f"courses/course-{c:02d}.md",
                    sort_order=c,
                )
            )
        db.session.execute(
            insert(Employee),
            [
                {
                    "staff_number": f"{n + 100000}",
                    "name": f"職員 {n}",
                    "name_kana": "ショクイン",
                    "active": n % 50 != 0,
                    "department_id": department_ids[n % len(department_ids)],
                    "position": POSITIONS[n % len(POSITIONS)],
                }
                for n in range(size)
            ],
        )
        heads = db.session.scalars(db.select(Employee.id).where(Employee.position == "課長")).all()
        db.session.execute(
            insert(EmployeeRole), [{"employee_id": i, "role": "department_head"} for i in heads]
        )
        db.session.commit()
    return app


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(app) -> dict:
    with app.app_context():
        first = timed(lambda: service.apply_assignments(reason="benchmark"))
        rows = db.session.scalar(db.select(db.func.count()).select_from(Assignment))
        again = timed(lambda: service.apply_assignments(reason="benchmark"))
        # The baseline: the same rows, written by one bare INSERT … SELECT.
        cols = ", ".join(COLUMNS)
        db.session.execute(text("DROP TABLE IF EXISTS bench_rows"))
        db.session.execute(text(f"CREATE TABLE bench_rows AS SELECT {cols} FROM course_assignment"))
        bare = []
        for _ in range(3):
            db.session.execute(text("DELETE FROM course_assignment"))
            db.session.commit()

            def insert_select():
                db.session.execute(
                    text(f"INSERT INTO course_assignment ({cols}) SELECT {cols} FROM bench_rows")
                )
                db.session.commit()

            bare.append(timed(insert_select))
        db.session.execute(text("DROP TABLE bench_rows"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"rows": rows, "first": first, "again": again, "bare": statistics.median(bare)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument(
        "--url", help="a PostgreSQL URL (a schema per size is created in it); SQLite by default"
    )
    args = parser.parse_args()
    print(
        f"{'staff':>8} {'rows':>10} {'first run s':>12} {'bare s':>8} {'ratio':>7} {'2nd run s':>10}"
    )
    ok = True
    for size in args.sizes:
        result = measure(build(size, args.courses, args.url))
        ratio = result["first"] / result["bare"] if result["bare"] else float("inf")
        ok = ok and ratio <= GOAL
        print(
            f"{size:>8,} {result['rows']:>10,} {result['first']:>12.2f} {result['bare']:>8.2f} {ratio:>6.1f}× "
            f"{result['again']:>10.2f}" + ("" if ratio <= GOAL else "  <-- over the goal")
        )
    print(
        f"\ngoal: first run ≤ {GOAL:.0f}× a bare INSERT … SELECT of the same rows — "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

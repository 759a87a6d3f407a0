"""The programme's figures at city scale: SQL statements per page and render time, small vs large.

Builds two SQLite databases in a temporary folder — 2,000 staff with 500 referrals and cases a
year, and 20,000 staff with 5,000 (bulk-inserted over two fiscal years: 5 部 × 8 課, the
all-staff course completed by about 60%, meetings every month) — signs in as 相談室 staff and
renders the fiscal-year report, its XLSX and the training → referrals page several times.
Prints, per page, the SQL statements (must be equal at both sizes: every figure is an
aggregate) and the median time, then the growth ratio large / small (goal: at most 10×, i.e.
no worse than linear in ten times the data). Exits non-zero when a count differs or a ratio
exceeds the goal.

    .venv/bin/python benchmarks/bench_programme.py [--small 2000] [--large 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import _city

WORK = _city.work_folder("bench-programme-")

from sqlalchemy import event, insert  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app.accounts.models import DepartmentMembership, Employee, EmployeeRole  # noqa: E402
from app.core import clock  # noqa: E402
from app.core.wareki import fiscal_year  # noqa: E402
from app.courses.models import Course, CourseCompletion  # noqa: E402
from app.extensions import db  # noqa: E402
from app.referrals.models import (  # noqa: E402
    CaseEntry,
    CaseStatus,
    Consent,
    Meeting,
    MeetingItem,
    Referral,
    ReferralStatus,
    SupportCase,
)

PASSWORD = _city.PASSWORD
GOAL_RATIO = 10.0
REPEATS = 5
STATUSES = [ReferralStatus.ACCEPTED] * 5 + [
    ReferralStatus.LINKED,
    ReferralStatus.REDIRECTED,
    ReferralStatus.INFO_ONLY,
    ReferralStatus.NEW,
]
BASES = ["consent"] * 8 + ["anonymous", "child_abuse"]


def build(staff: int, path: Path):
    app = _city.make_app(path)
    rng = random.Random(staff)
    yearly = staff // 4  # referrals (and cases) a year
    with app.app_context():
        today = clock.today()
        start = date(fiscal_year(today) - 1, 4, 1)
        span = (today - start).days
        _divisions, sections = _city.departments()
        course = Course(
            slug="all-staff-tsunagu",
            title_ja="全職員研修",
            content_hash="0" * 64,
            source_path="courses/x.md",
        )
        db.session.add(course)
        db.session.flush()
        section_ids = [s.id for s in sections]
        worker = Employee(
            staff_number="000001",
            name="相談 室員",
            name_kana="ソウダン シツイン",
            department_id=section_ids[0],
            active=True,
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        worker.role_rows = [EmployeeRole(role="consultation")]
        db.session.add(worker)
        db.session.commit()

        _city.staff(staff - 1, section_ids)
        people = db.session.execute(db.select(Employee.id, Employee.department_id)).all()
        db.session.execute(
            insert(DepartmentMembership),
            [{"employee_id": e, "department_id": d, "started_on": start} for e, d in people],
        )
        db.session.execute(
            insert(CourseCompletion),
            [
                {
                    "employee_id": e,
                    "course_id": course.id,
                    "course_version": 1,
                    "department_id": d,
                    "completed_at": datetime.combine(
                        start + timedelta(days=rng.randint(0, span)), datetime.min.time()
                    ),
                }
                for e, d in people
                if rng.random() < 0.6
            ],
        )
        total = yearly * 2
        db.session.execute(
            insert(SupportCase),
            [
                {
                    "reference": f"C-{n:06d}",
                    "status": rng.choice(
                        [CaseStatus.OPEN, CaseStatus.OPEN, CaseStatus.PAUSED, CaseStatus.CLOSED]
                    ),
                    "next_review_on": today + timedelta(days=rng.randint(-20, 90)),
                    "opened_at": datetime.combine(
                        start + timedelta(days=rng.randint(0, span)), datetime.min.time()
                    ),
                    "closure_reason": rng.choice(["goal_met", "handed_over", "moved"]),
                    "plan_goal": None,
                    "closed_at": datetime.combine(
                        today - timedelta(days=rng.randint(1, 200)), datetime.min.time()
                    ),
                }
                for n in range(total)
            ],
        )
        db.session.execute(
            insert(Referral),
            [
                {
                    "reference": f"R-{n:06d}",
                    "idempotency_key": f"k{n}",
                    "referrer_id": people[n % len(people)][0],
                    "source_department_id": people[n % len(people)][1],
                    "urgency": "routine",
                    "consent": Consent.VERBAL,
                    "legal_basis": rng.choice(BASES),
                    "preferred_contact": "phone",
                    "status": rng.choice(STATUSES),
                    "created_at": datetime.combine(
                        start + timedelta(days=rng.randint(0, span)), datetime.min.time()
                    ),
                    "first_contact_at": None
                    if rng.random() < 0.3
                    else datetime.combine(today, datetime.min.time()),
                }
                for n in range(total)
            ],
        )
        case_ids = list(db.session.scalars(db.select(SupportCase.id)))
        db.session.execute(
            insert(CaseEntry),
            [
                {
                    "case_id": rng.choice(case_ids),
                    "kind": rng.choice(["contact", "visit", "review", "note"]),
                    "occurred_on": start + timedelta(days=rng.randint(0, span)),
                }
                for _n in range(total * 3)
            ],
        )
        for month in range(span // 30):
            meeting = Meeting(held_on=start + timedelta(days=30 * month + 15))
            db.session.add(meeting)
            db.session.flush()
            db.session.execute(
                insert(MeetingItem),
                [
                    {
                        "meeting_id": meeting.id,
                        "case_id": case_id,
                        "position": i,
                        "legal_basis": rng.choice(["consent", "consent", "support_meeting"]),
                        "decided_at": datetime.now(),
                    }
                    for i, case_id in enumerate(
                        rng.sample(case_ids, min(len(case_ids), max(5, total // 100)))
                    )
                ],
            )
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return app, fiscal_year(today)


def measure(app, fy: int) -> dict[str, tuple[int, float]]:
    pages = {
        "fiscal-year": f"/programme/fiscal-year?fy={fy}",
        "fiscal-year.xlsx": f"/programme/fiscal-year.xlsx?fy={fy}",
        "training": f"/programme/training?fy={fy}",
    }
    client = app.test_client()
    with app.app_context():
        client.post("/login", data={"login": "000001", "password": PASSWORD})
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        results = {}
        for name, url in pages.items():
            assert client.get(url).status_code == 200, url  # warm the caches
            event.listen(db.engine, "before_cursor_execute", count)
            statements.clear()
            assert client.get(url).status_code == 200
            event.remove(db.engine, "before_cursor_execute", count)
            n = len(statements)
            times = []
            for _ in range(REPEATS):
                began = time.perf_counter()
                client.get(url)
                times.append(time.perf_counter() - began)
            results[name] = (n, statistics.median(times))
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    args = parser.parse_args()
    measured = {}
    for size in (args.small, args.large):
        began = time.perf_counter()
        app, fy = build(size, WORK / f"programme-{size}.sqlite3")
        print(
            f"built {size:,} staff, {size // 2:,} referrals and cases in {time.perf_counter() - began:.1f} s"
        )
        measured[size] = measure(app, fy)
    failed = False
    print(f"{'page':<18}{'statements':>12}{'small ms':>10}{'large ms':>10}{'ratio':>8}")
    for name in measured[args.small]:
        (n_small, t_small), (n_large, t_large) = (
            measured[args.small][name],
            measured[args.large][name],
        )
        ratio = t_large / t_small
        print(
            f"{name:<18}{f'{n_small}/{n_large}':>12}{t_small * 1000:>10.1f}{t_large * 1000:>10.1f}{ratio:>7.1f}×"
        )
        if n_small != n_large or ratio > GOAL_RATIO:
            failed = True
    print(
        "goal: the same statements at both sizes, growth at most "
        f"{GOAL_RATIO:.0f}× — " + ("FAILED" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

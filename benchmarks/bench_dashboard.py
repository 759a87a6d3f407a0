"""HR pages and the 相談室's at city scale: statements, time ratio and page weight at two sizes.

Builds two SQLite databases in a temporary folder: 5 部 × 8 課 and the 相談室, 40 required
courses, every employee assigned every course (bulk-inserted: 2,000 and 20,000 staff, 80,000
and 800,000 assignment rows), and referrals and cases loaded through the real services
(``app/referrals/scale.py``: a tenth of ``--cases`` in the smaller city, ``--cases`` in the
larger). Then measures every page in rounds that alternate the two cities, so that the noise
of a shared machine falls on both alike, and prints per page:

- the SQL statements at both sizes (counted with SQLAlchemy's ``before_cursor_execute``; goal:
  equal — no page does work per row);
- the median time at both sizes and the ratio large / small (goal: at most 10×, i.e. no worse
  than linear in ten times the data; the paged lists should stay near 1×);
- the page's weight in the larger city: its HTML plus every stylesheet and script it loads,
  module imports included (goal: under 100 KB).

Exits non-zero when a goal is missed.

    .venv/bin/python benchmarks/bench_dashboard.py                       # 2,000 / 20,000 staff, 500 / 5,000 referrals
    .venv/bin/python benchmarks/bench_dashboard.py --cases 500           # faster to load: 50 / 500 referrals
    .venv/bin/python benchmarks/bench_dashboard.py --small 200 --large 2000 --cases 100 --rounds 3   # a quick look
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import time
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import _city

WORK = _city.work_folder("bench-dashboard-")

from sqlalchemy import event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app.accounts.models import Department, Employee, EmployeeRole  # noqa: E402
from app.courses.models import Course  # noqa: E402
from app.extensions import db  # noqa: E402
from app.referrals import scale  # noqa: E402

PASSWORD = _city.PASSWORD
GOAL_RATIO = 10.0
LIMIT_KB = 100.0  # HTML + CSS + JS of one page
HR, LEARNER, OFFICE = "000001", "000002", "000003"

# (who, url): the ids in braces are filled in per city.
PAGES = {
    "HR dashboard (all courses)": (HR, "/reports/"),
    "HR dashboard, a 部 opened": (HR, "/reports/?open={division}"),
    "HR dashboard (one course)": (HR, "/reports/?course={course}"),
    "HR drill-down (部)": (HR, "/reports/departments/{division}"),
    "HR drill-down (課)": (HR, "/reports/departments/{section}"),
    "HR drill-down (one course)": (HR, "/reports/departments/{division}?course={course}"),
    "HR overdue list": (HR, "/reports/overdue"),
    "learner home (40 courses)": (LEARNER, "/"),
    "相談室 home (panels)": (OFFICE, "/"),
    "相談室 inbox": (OFFICE, "/consultation/inbox"),
    "相談室 case list": (OFFICE, "/consultation/cases"),
    "相談室 stale list": (OFFICE, "/consultation/cases/stale"),
    "相談室 meetings": (OFFICE, "/consultation/meetings"),
    "相談室 agenda": (OFFICE, "/consultation/meetings/{meeting}"),
    "相談室 referral (triage)": (OFFICE, "/consultation/referrals/{new_referral}"),
    "相談室 case": (OFFICE, "/consultation/cases/{case}"),
    "相談室 statistics": (OFFICE, "/consultation/statistics"),
    "相談室 audit log": (OFFICE, "/consultation/audit"),
}


def _departments() -> tuple[list[Department], list[Department], Department, list[Department]]:
    divisions, sections = _city.departments()
    office = Department(code="9050", name_ja="福祉まるごと相談室", sort_order=900)
    desks = [
        Department(code=f"90{n}0", name_ja=name, sort_order=901 + n)
        for n, name in enumerate(("税務課", "上下水道課", "市民課", "保険年金課"))
    ]
    db.session.add_all([office, *desks])
    db.session.flush()
    return divisions, sections, office, desks


def _courses(courses: int) -> list[int]:
    for c in range(courses):
        db.session.add(
            Course(
                slug=f"course-{c:02d}",
                # titles as long as the shipped ones: they are in every page's table head
                title_ja=f"研修{c + 1:02d}　窓口で気づいて相談室へつなぐ",
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
    return list(db.session.scalars(db.select(Course.id).order_by(Course.id)))


def _accounts(section: Department, office: Department, desks: list[Department]):
    password = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

    def account(number, name, department, roles=()):
        employee = Employee(
            staff_number=number,
            name=name,
            name_kana="ベンチ",
            department_id=department.id,
            active=True,
            password_hash=password,
        )
        employee.role_rows = [EmployeeRole(role=r) for r in roles]
        db.session.add(employee)
        return employee

    account(HR, "人事 研修", section, ["training_admin"])
    account(LEARNER, "窓口 一郎", section)
    worker = account(OFFICE, "相談 一子", office, ["consultation"])
    colleague = account("000004", "相談 二子", office, ["consultation"])
    referrers = [account(f"00001{n}", f"窓口 {n}", d) for n, d in enumerate(desks)]
    db.session.commit()
    return worker, colleague, referrers


def _assignments(course_ids: list[int], rng: random.Random) -> int:
    """Every employee × every course, plain DB-API executemany (the ORM's per-row work would
    dominate the set-up): about half completed, some in progress, the rest not started."""
    today = date.today()
    assigned_on = today - timedelta(days=120)
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
    connection = db.session.connection().connection.driver_connection
    batch, total = [], 0
    for employee_id, department_id in db.session.execute(
        db.select(Employee.id, Employee.department_id)
    ).all():
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
                total += len(batch)
                batch = []
    connection.executemany(sql, batch)
    db.session.commit()
    return total + len(batch)


def build(employees: int, courses: int, cases: int, path: Path):
    """A city: the organisation, the courses, the staff and their assignments, the 相談室's
    referrals and cases. Returns the app and the ids the pages need."""
    app = _city.make_app(path)
    rng = random.Random(employees)
    with app.app_context():
        divisions, sections, office, desks = _departments()
        course_ids = _courses(courses)
        worker, colleague, referrers = _accounts(sections[0], office, desks)
        _city.staff(employees - 4 - len(referrers), [s.id for s in sections])
        rows = _assignments(course_ids, rng)
        started = time.perf_counter()
        ids = scale.build(cases, referrers, worker, colleague)
        loaded = time.perf_counter() - started
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        ids.update(division=divisions[0].id, section=sections[3].id, course=course_ids[0])
    return app, ids, rows, loaded


class City:
    """One city's app, signed-in clients and page addresses."""

    def __init__(self, app, ids):
        self.app = app
        self.clients = {}
        for number in (HR, LEARNER, OFFICE):
            client = app.test_client()
            response = client.post("/login", data={"login": number, "password": PASSWORD})
            assert response.status_code == 302, (number, response.status_code)
            self.clients[number] = client
        self.urls = {name: (who, url.format(**ids)) for name, (who, url) in PAGES.items()}
        with app.app_context():
            self.engine = db.engine

    def request(self, name: str) -> tuple[int, float, bytes]:
        who, url = self.urls[name]
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(self.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = self.clients[who].get(url)
        elapsed = time.perf_counter() - started
        event.remove(self.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (name, url, response.status_code)
        return len(statements), elapsed, response.data

    def weight(self, name: str) -> tuple[int, int]:
        """Bytes of the page's HTML, and of its stylesheets and scripts (with their imports)."""
        who, _url = self.urls[name]
        _count, _elapsed, html = self.request(name)
        return len(html), assets_weight(self.clients[who], html.decode())


ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"?]+)')
IMPORT = re.compile(r'(?:import|from)\s*["\'](\.{1,2}/[^"\']+)["\']')


def assets_weight(client, html: str) -> int:
    total, pending, seen = 0, ASSET.findall(html), set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        with client.get(path) as response:
            body = response.data
        total += len(body)
        if path.endswith(".js"):
            folder = path.rsplit("/", 1)[0]
            pending += [
                os.path.normpath(f"{folder}/{name}") for name in IMPORT.findall(body.decode())
            ]
    return total


def pad(text: str, width: int) -> str:
    """Left-aligned in a terminal's columns (a kanji takes two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def measure(small: City, large: City, rounds: int):
    """Each page requested once per city per round; the order of the cities alternates."""
    samples = {name: {"small": ([], []), "large": ([], [])} for name in PAGES}
    for city in (small, large):  # warm: first-use caches (translations, templates)
        for name in PAGES:
            city.request(name)
    for index in range(rounds):
        order = [("small", small), ("large", large)]
        if index % 2:
            order.reverse()
        for name in PAGES:
            for label, city in order:
                count, elapsed, _html = city.request(name)
                samples[name][label][0].append(count)
                samples[name][label][1].append(elapsed)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=20000)
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument("--cases", type=int, default=5000, help="referrals in the larger city")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    cities = {}
    for label, size, cases in (
        ("small", args.small, max(args.cases // 10, 20)),
        ("large", args.large, args.cases),
    ):
        started = time.perf_counter()
        app, ids, rows, loaded = build(size, args.courses, cases, WORK / f"bench-{label}.sqlite3")
        print(
            f"built {size:,} staff × {args.courses} courses ({rows:,} assignment rows) and "
            f"{cases:,} referrals ({loaded:.0f} s through the services) in "
            f"{time.perf_counter() - started:.0f} s"
        )
        cities[label] = City(app, ids)

    samples = measure(cities["small"], cities["large"], args.rounds)
    small, large = args.small, args.large
    print()
    print(
        f"{'page':30} {'statements':>14} {'ms':>8} {'ms':>8} {'ratio':>7} {'KB':>7} {'(HTML':>7} {'+ CSS/JS)':>9}"
    )
    print(f"{'':30} {f'{small:,} / {large:,}':>14} {small:>8,} {large:>8,}")
    ok = True
    for name in PAGES:
        (c_small, t_small), (c_large, t_large) = samples[name]["small"], samples[name]["large"]
        q_small, q_large = max(c_small), max(c_large)
        m_small, m_large = statistics.median(t_small), statistics.median(t_large)
        ratio = m_large / m_small if m_small else float("inf")
        html, assets = cities["large"].weight(name)
        kb = (html + assets) / 1000
        flags = []
        if q_small != q_large or min(c_small) != q_small or min(c_large) != q_large:
            flags.append("statements differ")
        if ratio > GOAL_RATIO:
            flags.append(f"over {GOAL_RATIO:.0f}×")
        if kb > LIMIT_KB:
            flags.append(f"over {LIMIT_KB:.0f} KB")
        ok = ok and not flags
        print(
            f"{pad(name, 30)} {f'{q_small} / {q_large}':>14} {m_small * 1000:>8.1f} {m_large * 1000:>8.1f} "
            f"{ratio:>6.2f}× {kb:>7.1f} {html / 1000:>7.1f} {assets / 1000:>9.1f}"
            + (f"  <-- {', '.join(flags)}" if flags else "")
        )
    print()
    print(
        f"goals: equal statements, time growth ≤ {GOAL_RATIO:.0f}× for {large / small:.0f}× the staff, "
        f"every page ≤ {LIMIT_KB:.0f} KB with its CSS and scripts (KB = 1,000 bytes, larger city) — "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

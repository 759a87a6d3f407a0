"""The HR pages at real size: 45 departments (5 部 × 8 課), 40 required courses and enough staff
to fill every page. Each page, with the stylesheets and scripts it loads, stays under 100 KB,
and runs a pinned number of SQL statements whatever the number of staff.

The rows are bulk-inserted (no ORM objects per row) so that the fixture takes a second.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from app.accounts.models import Employee
from app.core import clock
from app.core.permissions import Role
from app.courses.models import Assignment, Course
from app.extensions import db
from tests.factories import login, make_department, make_employee
from tests.referrals.test_statement_counts import StatementCounter

DIVISIONS, SECTIONS, COURSES = 5, 8, 40
LIMIT = 100_000  # bytes: the page's HTML plus every stylesheet and script it loads

# Statements per page, at any number of staff. Lower is welcome (then lower the pin).
PINNED = {
    # the signed-in employee, departments, courses, one aggregate over the assignment rows
    "dashboard": 4,
    "dashboard, one 部 opened": 4,
    "dashboard, one course": 4,
    # the employee, departments, courses, the page's COUNT, the page, its assignment rows, the
    # audit row (committed once the page is rendered)
    "drill-down (部)": 7,
    "drill-down (課)": 7,
    "drill-down, one course": 7,
    # the employee, departments, courses, the COUNT, the page, the audit row
    "overdue list": 6,
    "overdue list, page 2": 6,
}


def _course_rows():
    return [
        dict(
            slug=f"course-{c:02d}",
            title_ja=f"研修{c + 1:02d}　窓口で気づいて相談室へつなぐ",
            title_en=f"Course {c + 1:02d}: noticing at the counter and referring",
            items=[{"kind": "quiz", "slug": f"quiz-{c}", "optional": False, "title_ja": "確認"}],
            completion="all",
            required_for={"all_staff": True},
            due_within_days=90,
            version=1,
            content_hash="0" * 64,
            source_path=f"courses/course-{c:02d}.md",
            sort_order=c,
        )
        for c in range(COURSES)
    ]


def add_staff(city, count: int, start: int) -> None:
    """``count`` staff spread over the 課, each with every course: about half completed, some
    in progress, the rest not started, a third of the unfinished past their due date."""
    rng = random.Random(start)
    sections = city["sections"]
    db.session.execute(
        insert(Employee),
        [
            dict(
                staff_number=f"{200000 + n}",
                name=f"職員 {n}",
                name_kana="ショクイン",
                position="主事",
                department_id=sections[n % len(sections)],
                active=True,
            )
            for n in range(start, start + count)
        ],
    )
    numbers = [f"{200000 + n}" for n in range(start, start + count)]
    people = db.session.execute(
        select(Employee.id, Employee.department_id).where(Employee.staff_number.in_(numbers))
    ).all()
    today = clock.today()
    assigned = today - timedelta(days=120)
    rows = []
    for employee_id, department_id in people:
        for course_id in city["courses"]:
            draw = rng.random()
            done = draw < 0.5
            rows.append(
                dict(
                    employee_id=employee_id,
                    course_id=course_id,
                    department_id=department_id,
                    required=True,
                    status="completed"
                    if done
                    else ("in_progress" if draw < 0.7 else "not_started"),
                    progress=1.0 if done else (0.5 if draw < 0.7 else 0.0),
                    assigned_on=assigned,
                    due_on=assigned + timedelta(days=rng.choice((60, 90, 150))),
                    completed_at=clock.day_start(assigned + timedelta(days=30)) if done else None,
                    completed_version=1 if done else None,
                )
            )
    db.session.execute(insert(Assignment), rows)
    db.session.commit()


@pytest.fixture
def city(app, db):
    sections = []
    first_division = None
    for d in range(DIVISIONS):
        division = make_department(code=f"{d + 1}000", name_ja=f"第{d + 1}市民生活部")
        first_division = first_division or division
        for s in range(SECTIONS):
            sections.append(
                make_department(
                    code=f"{d + 1}0{s + 1}0",
                    name_ja=f"第{d + 1}部 保険年金第{s + 1}課",
                    parent=division,
                )
            )
    db.session.execute(insert(Course), _course_rows())
    db.session.commit()
    admin = make_employee(department=sections[0], roles=[Role.TRAINING_ADMIN], name="人事 研修")
    city = {
        "division": first_division.id,
        "sections": [s.id for s in sections],
        "courses": list(db.session.scalars(select(Course.id).order_by(Course.id))),
        "admin": admin,
    }
    return city


def pages(city) -> dict[str, str]:
    division, section, course = city["division"], city["sections"][1], city["courses"][0]
    return {
        "dashboard": "/reports/",
        "dashboard, one 部 opened": f"/reports/?open={division}",
        "dashboard, one course": f"/reports/?course={course}",
        "drill-down (部)": f"/reports/departments/{division}",
        "drill-down (課)": f"/reports/departments/{section}",
        "drill-down, one course": f"/reports/departments/{division}?course={course}",
        "overdue list": "/reports/overdue",
        "overdue list, page 2": "/reports/overdue?page=2",
    }


ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"?]+)')
IMPORT = re.compile(r'(?:import|from)\s*["\'](\.{1,2}/[^"\']+)["\']')


def weight(client, url: str) -> tuple[int, int]:
    """Bytes of the page's HTML, and of the stylesheets and scripts (with their imports) it loads."""
    html = client.get(url).data
    assets, pending, seen = 0, ASSET.findall(html.decode()), set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        with client.get(path) as response:  # a file response: closed once read
            body = response.data
        assets += len(body)
        if path.endswith(".js"):
            base = path.rsplit("/", 1)[0]
            for name in IMPORT.findall(body.decode()):
                pending.append(_join(base, name))
    return len(html), assets


def _join(base: str, relative: str) -> str:
    parts = base.split("/")
    for piece in relative.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def test_every_hr_page_stays_under_100_kb_with_its_css_and_scripts(app, client, city):
    add_staff(city, 240, 0)  # 6 a 課, 48 a 部: the lists fill their pages
    login(client, city["admin"])
    urls = {**pages(city), "learner home": "/"}
    for locale in ("ja", "en"):
        client.post("/language", data={"locale": locale})
        for name, url in urls.items():
            html, assets = weight(client, url)
            assert assets > 5_000, (name, assets)  # the site's stylesheet and script counted
            assert html + assets < LIMIT, (locale, name, html, assets)
    # The pages are full: a page of 部 staff, a page of overdue rows, the 部's 課 opened.
    drill = client.get(f"/reports/departments/{city['division']}").get_data(as_text=True)
    assert drill.count("<tr>") == 25 + 1 and "page=2" in drill
    overdue = client.get("/reports/overdue").get_data(as_text=True)
    assert overdue.count("<tr>") == 50 + 1
    opened = client.get(f"/reports/?open={city['division']}").get_data(as_text=True)
    assert opened.count("matrix__row--section") == SECTIONS


def measure(client, city) -> dict[str, int]:
    counts = {}
    for name, url in pages(city).items():
        client.get(url)  # warm: first-use caches (translations, templates)
        with StatementCounter() as counter:
            assert client.get(url).status_code == 200, name
        counts[name] = counter.count
    return counts


def test_statement_counts_do_not_grow_with_the_staff(app, client, city):
    add_staff(city, 40, 0)
    login(client, city["admin"])
    small = measure(client, city)
    add_staff(city, 360, 40)  # tenfold
    large = measure(client, city)
    assert small == large, {n: (small[n], large[n]) for n in small if small[n] != large[n]}
    assert large == PINNED, {n: (large[n], PINNED[n]) for n in large if large[n] != PINNED[n]}

"""Demo: load the shipped courses, assign them, and give the generated staff some history.

The completions seeded here are demo data only, for the generated employees of the fictional
demo city (never the demo accounts), so that the HR dashboard has something to show.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Employee
from app.core import clock
from app.courses import content, service
from app.courses.models import Assignment, AssignmentStatus, CourseCompletion
from app.extensions import db

DEMO_COURSE = "all-staff-tsunagu"


def load_demo() -> str:
    root = Path(current_app.config["CONTENT_ROOT"])
    paths = content.find(root)
    errors = [p for p in content.check(paths, root) if p.severity == "error"]
    if errors:
        return _(
            "Courses were not loaded (%(n)d errors; run “flask --app app content check courses”).",
            n=len(errors),
        )
    result = service.sync_courses([(content.parse_file(p), p) for p in paths], root)
    summary = service.apply_assignments(reason="demo")
    seeded = seed_demo_history()
    return _(
        "Courses: %(c)d new, %(u)d updated; %(a)d assignments; demo completion history for %(s)d employees.",
        c=result.created,
        u=result.updated,
        a=summary.assigned,
        s=seeded,
    )


def seed_demo_history(seed: int = 20260401) -> int:
    """Plausible progress for generated demo employees: about half complete, spread over the
    last four months, some in progress, the rest not started and (for some) overdue."""
    from app.accounts.demo import DEMO_ACCOUNTS

    course = service.get_course(DEMO_COURSE)
    if course is None:
        return 0
    if db.session.scalar(
        select(CourseCompletion.id).where(CourseCompletion.course_id == course.id).limit(1)
    ):
        return 0  # already seeded (or real completions exist): never overwrite
    demo_accounts = {number for number, *_rest in DEMO_ACCOUNTS}
    rows = db.session.execute(
        select(Assignment, Employee.staff_number, Employee.department_id)
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Assignment.course_id == course.id, Assignment.required.is_(True))
        .order_by(Employee.staff_number)
    ).all()
    rng = random.Random(seed)
    today = service.today()
    assigned_on = today - timedelta(days=120)
    # Some departments are keener than others, so the dashboard shows differences.
    keenness = {}
    seeded = 0
    for row, staff_number, department_id in rows:
        if staff_number in demo_accounts:
            continue
        keen = keenness.setdefault(department_id, rng.uniform(0.3, 0.85))
        row.assigned_on = assigned_on
        row.due_on = assigned_on + timedelta(days=course.due_within_days or 90)
        draw = rng.random()
        if draw < keen:
            done_on = assigned_on + timedelta(days=int(rng.triangular(3, 118, 40)))
            at = clock.day_start(done_on) + timedelta(hours=9, minutes=rng.randint(0, 480))
            row.status, row.progress, row.started_at, row.completed_at = (
                AssignmentStatus.COMPLETED,
                1.0,
                at - timedelta(days=2),
                at,
            )
            row.completed_version = course.version
            db.session.add(
                CourseCompletion(
                    employee_id=row.employee_id,
                    course_id=course.id,
                    course_version=course.version,
                    completed_at=at,
                    department_id=department_id,
                )
            )
        elif draw < keen + 0.15:
            row.status, row.progress = AssignmentStatus.IN_PROGRESS, round(rng.uniform(0.1, 0.8), 2)
            row.started_at = clock.day_start(
                assigned_on + timedelta(days=rng.randint(1, 100))
            ) + timedelta(hours=10)
        seeded += 1
    db.session.commit()
    return seeded

"""Training → referrals: did training a department make that department connect residents?

Per department (課) and fiscal quarter:
- staff: employees whose department membership covers the quarter's last day (staff move
  every April; the membership history keeps who was where);
- training completion: the share of those staff who had completed one of the all-staff
  courses (``PROGRAMME_TRAINING_COURSES``) by the end of the quarter;
- referrals sent by the department's employees in the quarter (the department recorded on
  the referral), per 100 staff, the share accepted as (or linked to) a case, and the share
  where the office reached the resident.

A department "crossed" in the first quarter at whose end its completion reached
``PROGRAMME_COMPLETION_THRESHOLD`` %. Before/after compare the complete quarters before that
quarter with the complete quarters after it (the crossing quarter itself is the change-over
and belongs to neither).

Counts only: no name, no case. Counts from 1 to ``PROGRAMME_SMALL_CELL`` - 1 are shown as
「5未満」, and shares and rates of so few as 「—」, for everyone who sees the page.

Three aggregate statements (departments, staff and completion, referrals), whatever the
number of employees or referrals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from app.accounts.models import Department, DepartmentMembership
from app.core.wareki import FiscalQuarter, fiscal_quarter, quarters_between
from app.courses.models import Course, CourseCompletion
from app.extensions import db
from app.programme.service import local_date, today, utc_start
from app.referrals.models import Referral, ReferralStatus

ACCEPTED_STATUSES = ReferralStatus.triaged_to_a_case()


@dataclass
class Cell:
    """One department (or the whole city) in one quarter, or summed over several quarters."""

    staff: int = 0
    trained: int = 0
    referrals: int = 0
    accepted: int = 0
    reached: int = 0

    def add(self, other: Cell) -> None:
        self.staff += other.staff
        self.trained += other.trained
        self.referrals += other.referrals
        self.accepted += other.accepted
        self.reached += other.reached

    @property
    def completion(self) -> float | None:
        return round(100.0 * self.trained / self.staff, 1) if self.staff else None

    @property
    def per_100_staff(self) -> float | None:
        return round(100.0 * self.referrals / self.staff, 1) if self.staff else None

    @property
    def accepted_share(self) -> float | None:
        return round(100.0 * self.accepted / self.referrals, 1) if self.referrals else None

    @property
    def reached_share(self) -> float | None:
        return round(100.0 * self.reached / self.referrals, 1) if self.referrals else None


@dataclass
class Comparison:
    """Quarters before and after the crossing, summed (staff counted once per quarter)."""

    quarters: int = 0
    total: Cell = field(default_factory=Cell)

    def add(self, cell: Cell) -> None:
        self.quarters += 1
        self.total.add(cell)


@dataclass
class Row:
    department: Department
    division: Department | None
    cells: list[Cell]
    crossed: FiscalQuarter | None = None
    before: Comparison = field(default_factory=Comparison)
    after: Comparison = field(default_factory=Comparison)


@dataclass
class TrainingReport:
    quarters: list[FiscalQuarter]
    current: FiscalQuarter  # the running quarter: shown, but not in before/after
    rows: list[Row]
    city: Row  # every department together
    threshold: float
    small_cell: int
    courses: list[Course]


def window(fy: int, on=None) -> list[FiscalQuarter]:
    """The quarters of the fiscal year before ``fy`` and of ``fy``, up to the running quarter."""
    on = on or today()
    last = min(FiscalQuarter(fy, 4), fiscal_quarter(on))
    return quarters_between(FiscalQuarter(fy - 1, 1), last)


def training_courses() -> list[Course]:
    slugs = list(current_app.config["PROGRAMME_TRAINING_COURSES"])
    return list(
        db.session.scalars(
            select(Course).where(Course.slug.in_(slugs or ["-"])).order_by(Course.sort_order)
        )
    )


def report(fy: int, on=None) -> TrainingReport:
    on = on or today()
    quarters = window(fy, on)
    current = fiscal_quarter(on)
    threshold = float(current_app.config["PROGRAMME_COMPLETION_THRESHOLD"])
    courses = training_courses()
    departments = list(
        db.session.scalars(select(Department).order_by(Department.sort_order, Department.code))
    )
    staff = _staff_and_completion(quarters, [c.id for c in courses]) if quarters else {}
    referrals = _referrals(quarters) if quarters else {}

    by_id = {d.id: d for d in departments}
    with_children = {d.parent_id for d in departments if d.parent_id}
    rows = []
    city = Row(department=None, division=None, cells=[Cell() for _ in quarters])  # type: ignore[arg-type]
    for department in departments:
        if department.id in with_children:
            continue  # a 部 with 課: its staff and referrals are in its 課' rows
        cells = []
        for i in range(len(quarters)):
            s = staff.get(department.id, {}).get(i, (0, 0))
            r = referrals.get(department.id, {}).get(i, (0, 0, 0))
            cells.append(
                Cell(staff=s[0], trained=s[1], referrals=r[0], accepted=r[1], reached=r[2])
            )
        if not any(c.staff or c.referrals for c in cells):
            continue
        row = Row(
            department, by_id.get(department.parent_id) if department.parent_id else None, cells
        )
        _compare(row, quarters, current, threshold)
        rows.append(row)
        for total, cell in zip(city.cells, cells, strict=True):
            total.add(cell)
    # Referrals whose department is not recorded count for the city as a whole.
    for i, counts in referrals.get(None, {}).items():
        city.cells[i].add(Cell(referrals=counts[0], accepted=counts[1], reached=counts[2]))
    _compare(city, quarters, current, threshold)
    return TrainingReport(
        quarters,
        current,
        rows,
        city,
        threshold,
        int(current_app.config["PROGRAMME_SMALL_CELL"]),
        courses,
    )


def _compare(
    row: Row, quarters: list[FiscalQuarter], current: FiscalQuarter, threshold: float
) -> None:
    for quarter, cell in zip(quarters, row.cells, strict=True):
        if cell.completion is not None and cell.completion >= threshold:
            row.crossed = quarter
            break
    if row.crossed is None:
        return
    for quarter, cell in zip(quarters, row.cells, strict=True):
        if quarter >= current:
            continue  # the running quarter is not complete
        if quarter < row.crossed:
            row.before.add(cell)
        elif quarter > row.crossed:
            row.after.add(cell)


def _covers(day):
    return and_(
        DepartmentMembership.started_on <= day,
        or_(DepartmentMembership.ended_on.is_(None), DepartmentMembership.ended_on >= day),
    )


def _staff_and_completion(
    quarters: list[FiscalQuarter], course_ids: list[int]
) -> dict[int, dict[int, tuple[int, int]]]:
    """{department: {quarter index: (staff on its last day, of them trained by its end)}}."""
    first_done = (
        select(
            CourseCompletion.employee_id,
            func.min(CourseCompletion.completed_at).label("first_done"),
        )
        .where(CourseCompletion.course_id.in_(course_ids or [-1]))
        .group_by(CourseCompletion.employee_id)
        .subquery()
    )
    columns = []
    for quarter in quarters:
        covers = _covers(quarter.last_day)
        columns.append(func.sum(case((covers, 1), else_=0)))
        columns.append(
            func.sum(
                case((and_(covers, first_done.c.first_done < utc_start(quarter.end)), 1), else_=0)
            )
        )
    stmt = (
        select(DepartmentMembership.department_id, *columns)
        .outerjoin(first_done, first_done.c.employee_id == DepartmentMembership.employee_id)
        .where(
            DepartmentMembership.started_on <= quarters[-1].last_day,
            or_(
                DepartmentMembership.ended_on.is_(None),
                DepartmentMembership.ended_on >= quarters[0].last_day,
            ),
        )
        .group_by(DepartmentMembership.department_id)
    )
    out: dict[int, dict[int, tuple[int, int]]] = {}
    for department_id, *values in db.session.execute(stmt):
        out[department_id] = {
            i: (int(values[2 * i] or 0), int(values[2 * i + 1] or 0)) for i in range(len(quarters))
        }
    return out


def _referrals(quarters: list[FiscalQuarter]) -> dict[int | None, dict[int, tuple[int, int, int]]]:
    """{department: {quarter index: (referrals, accepted or linked, resident reached)}}."""
    columns = []
    for quarter in quarters:
        inside = and_(
            Referral.created_at >= utc_start(quarter.start),
            Referral.created_at < utc_start(quarter.end),
        )
        columns.append(func.sum(case((inside, 1), else_=0)))
        columns.append(
            func.sum(case((and_(inside, Referral.status.in_(ACCEPTED_STATUSES)), 1), else_=0))
        )
        columns.append(
            func.sum(case((and_(inside, Referral.first_contact_at.is_not(None)), 1), else_=0))
        )
    stmt = (
        select(Referral.source_department_id, *columns)
        .where(
            Referral.created_at >= utc_start(quarters[0].start),
            Referral.created_at < utc_start(quarters[-1].end),
        )
        .group_by(Referral.source_department_id)
    )
    out: dict[int | None, dict[int, tuple[int, int, int]]] = {}
    for department_id, *values in db.session.execute(stmt):
        out[department_id] = {
            i: (int(values[3 * i] or 0), int(values[3 * i + 1] or 0), int(values[3 * i + 2] or 0))
            for i in range(len(quarters))
        }
    return out


# --- showing small numbers --------------------------------------------------------------------


@dataclass(frozen=True)
class Suppressor:
    """How a count, a share or a rate is shown: small cells never appear as numbers."""

    small: int

    def count(self, n: int) -> str:
        if 0 < n < self.small:
            return _("fewer than %(n)d", n=self.small)
        return str(n)

    def share(self, numerator: int, denominator: int) -> str:
        """A percentage, or 「—」 when the denominator is a small cell (or nothing)."""
        if denominator < self.small:
            return "—"
        return f"{100.0 * numerator / denominator:.0f}%"

    def rate(self, referrals: int, staff: int) -> str:
        """Referrals per 100 staff, or 「—」 when the referrals are a small cell."""
        if not staff or 0 < referrals < self.small:
            return "—"
        return f"{100.0 * referrals / staff:.1f}"

    def per_quarter_rate(self, comparison: Comparison) -> str:
        """Referrals per 100 staff per quarter over the compared quarters."""
        return self.rate(comparison.total.referrals, comparison.total.staff)


# --- the per-case list (the 相談室 only) ----------------------------------------------------------


def referrals_of(
    department_id: int | None, quarter: FiscalQuarter, limit: int = 200
) -> list[Referral]:
    """The referrals a department sent in a quarter: references and codes, for the 相談室."""
    stmt = (
        select(Referral)
        .where(
            Referral.created_at >= utc_start(quarter.start),
            Referral.created_at < utc_start(quarter.end),
        )
        .order_by(Referral.created_at, Referral.id)
        .limit(limit)
    )
    if department_id is None:
        stmt = stmt.where(Referral.source_department_id.is_(None))
    else:
        stmt = stmt.where(Referral.source_department_id == department_id)
    return list(db.session.scalars(stmt))


def sent_on(referral: Referral):
    return local_date(referral.created_at)

"""Completion reports: the department × course matrix, drill-down, overdue list, timeline.

Every page runs a fixed number of SQL statements whatever the number of employees: the
counts come from one GROUP BY over the stored assignment rows (completion is recorded as it
happens by the courses area), and lists are paginated. ``benchmarks/bench_dashboard.py``
counts the statements at 2,000 and 20,000 employees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import lazyload

from app.accounts.models import Department, Employee
from app.core import audit, clock
from app.core.permissions import Permission, user_can
from app.courses.models import Assignment, AssignmentStatus, Course
from app.courses.service import inactive_employee_ids
from app.extensions import db

PER_PAGE = 50
#: the drill-down's cells (staff × courses) per page: at 40 courses a page holds 25 staff, so the
#: page stays under 100 KB; with one course, or up to 20, it holds PER_PAGE
CELLS_PER_PAGE = 1000
#: up to this many courses shown, the drill-down gives each cell its progress bar and dates
DETAILED_COURSES = 2
TIMELINE_MONTHS = 6


def today() -> date:
    """The city hall's date (see ``app.core.clock``)."""
    return clock.today()


# --- who may see what ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The departments a viewer may see: all of them (HR), or their own with its 課 (所属長)."""

    everything: bool
    department_ids: frozenset[int] = frozenset()

    def allows(self, department_id: int | None) -> bool:
        return self.everything or department_id in self.department_ids


def scope_for(user, departments: list[Department] | None = None) -> Scope | None:
    if user_can(user, Permission.VIEW_ALL_PROGRESS):
        return Scope(everything=True)
    if user_can(user, Permission.VIEW_OWN_DEPARTMENT_PROGRESS):
        if user.department_id is None:
            return Scope(everything=False)
        departments = departments if departments is not None else all_departments()
        ids = {user.department_id} | {
            d.id for d in departments if d.parent_id == user.department_id
        }
        return Scope(everything=False, department_ids=frozenset(ids))
    return None


def all_departments() -> list[Department]:
    return list(
        db.session.scalars(select(Department).order_by(Department.sort_order, Department.code))
    )


def report_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.sort_order, Course.slug)
        )
    )


# --- the matrix ---------------------------------------------------------------------------------


@dataclass
class Cell:
    total: int = 0
    completed: int = 0
    in_progress: int = 0
    overdue: int = 0
    completed_by: list[int] = field(
        default_factory=list
    )  # cumulative completions at each timeline point

    @property
    def not_started(self) -> int:
        return self.total - self.completed - self.in_progress

    @property
    def percent(self) -> float | None:
        return round(100.0 * self.completed / self.total, 1) if self.total else None

    def add(self, other: Cell) -> None:
        self.total += other.total
        self.completed += other.completed
        self.in_progress += other.in_progress
        self.overdue += other.overdue
        if not self.completed_by:
            self.completed_by = [0] * len(other.completed_by)
        self.completed_by = [
            a + b for a, b in zip(self.completed_by, other.completed_by, strict=False)
        ]


@dataclass
class MatrixRow:
    department: Department
    level: str  # "division" (部, rolled up) or "section" (課)
    cells: dict[int, Cell]
    total: Cell
    under: int | None = None  # the 部 row this 課 row sits under (None: a row of its own)
    sections: int = 0  # a 部 row: how many 課 rows sit under it


@dataclass
class Matrix:
    courses: list[Course]
    rows: list[MatrixRow]
    grand_total: dict[int, Cell]
    grand: Cell
    timeline: list[date]
    divisions: list[Department]  # the 部 a viewer may filter by


def timeline_points(on: date, months: int = TIMELINE_MONTHS) -> list[date]:
    """The last day of each of the previous ``months`` months, then today."""
    first = on.replace(day=1)
    points = []
    for back in range(months, 0, -1):
        year, month = first.year, first.month - (back - 1)
        while month < 1:
            month += 12
            year -= 1
        points.append(date(year, month, 1) - timedelta(days=1))
    return [*points, on]


def _in_scope_ids(
    scope: Scope, departments: list[Department], division_id: int | None
) -> set[int] | None:
    """Department ids the query is limited to; None for no limit."""
    ids: set[int] | None = None if scope.everything else set(scope.department_ids)
    if division_id is not None:
        wanted = {division_id} | {d.id for d in departments if d.parent_id == division_id}
        ids = wanted if ids is None else ids & wanted
    return ids


def matrix(
    scope: Scope,
    *,
    course_id: int | None = None,
    division_id: int | None = None,
    on: date | None = None,
    departments: list[Department] | None = None,
    courses: list[Course] | None = None,
) -> Matrix:
    """Departments × courses: counts and % complete, rolled up by 部, with the timeline.

    Three statements (departments, courses, one aggregate over the assignment rows), one when
    the caller passes the departments and courses it has already loaded.
    """
    on = on or today()
    departments = departments if departments is not None else all_departments()
    courses = courses if courses is not None else report_courses()
    if course_id is not None:
        courses = [c for c in courses if c.id == course_id]
    points = timeline_points(on)
    ids = _in_scope_ids(scope, departments, division_id)

    completed = Assignment.status == AssignmentStatus.COMPLETED
    columns = [
        Assignment.department_id,
        Assignment.course_id,
        func.count(),
        func.sum(case((completed, 1), else_=0)),
        func.sum(case((Assignment.status == AssignmentStatus.IN_PROGRESS, 1), else_=0)),
        func.sum(
            case(
                (and_(Assignment.status != AssignmentStatus.COMPLETED, Assignment.due_on < on), 1),
                else_=0,
            )
        ),
    ]
    for point in points:
        cutoff = clock.day_start(point + timedelta(days=1))  # completed by the end of that city day
        columns.append(
            func.sum(case((and_(completed, Assignment.completed_at < cutoff), 1), else_=0))
        )
    # The assignment rows carry the employee's current department, so this reads one index
    # in GROUP BY order; deactivated staff (few) are left out by a small subquery.
    stmt = (
        select(*columns)
        .where(
            Assignment.required.is_(True), Assignment.employee_id.not_in(inactive_employee_ids())
        )
        .group_by(Assignment.department_id, Assignment.course_id)
    )
    if course_id is not None:
        stmt = stmt.where(Assignment.course_id == course_id)
    if ids is not None:
        stmt = stmt.where(Assignment.department_id.in_(sorted(ids) or [-1]))
    course_ids = {c.id for c in courses}
    counts: dict[int, dict[int, Cell]] = {}
    for department_id, c_id, total, done, started, overdue, *cumulative in db.session.execute(stmt):
        if c_id not in course_ids or department_id is None:
            continue
        counts.setdefault(department_id, {})[c_id] = Cell(
            int(total),
            int(done or 0),
            int(started or 0),
            int(overdue or 0),
            [int(x or 0) for x in cumulative],
        )

    visible = [d for d in departments if ids is None or d.id in ids]
    top_level = [
        d for d in visible if d.parent_id is None or d.parent_id not in {v.id for v in visible}
    ]
    rows: list[MatrixRow] = []
    grand_total: dict[int, Cell] = {c.id: Cell(completed_by=[0] * len(points)) for c in courses}
    for top in top_level:
        sections = [d for d in visible if d.parent_id == top.id]
        rollup = {c.id: Cell(completed_by=[0] * len(points)) for c in courses}
        for department in [top, *sections]:
            for c_id, cell in counts.get(department.id, {}).items():
                rollup[c_id].add(cell)
                grand_total[c_id].add(cell)
        rows.append(
            MatrixRow(
                top,
                "division" if sections or top.parent_id is None else "section",
                rollup,
                _sum(rollup.values(), len(points)),
                sections=len(sections),
            )
        )
        for section in sections:
            cells = {
                c.id: counts.get(section.id, {}).get(c.id, Cell(completed_by=[0] * len(points)))
                for c in courses
            }
            rows.append(
                MatrixRow(
                    section, "section", cells, _sum(cells.values(), len(points)), under=top.id
                )
            )
    divisions = visible_divisions(scope, departments)
    return Matrix(
        courses, rows, grand_total, _sum(grand_total.values(), len(points)), points, divisions
    )


def collapsible(matrix: Matrix) -> bool:
    """Whether the page folds 課 under their 部: only when more than one 部 with 課 is in view
    (HR's whole city). A department head, or HR filtering by one 部, sees its 課 at once."""
    return sum(1 for row in matrix.rows if row.sections) > 1


def shown_rows(matrix: Matrix, opened: int | None) -> list[MatrixRow]:
    """The matrix as the page shows it: each 部 with its totals, and the 課 of the one 部 that is
    opened (one at a time keeps the page light at 40 courses). Exports and the chart use every
    row."""
    if not collapsible(matrix):
        return matrix.rows
    return [row for row in matrix.rows if row.under is None or row.under == opened]


def visible_divisions(scope: Scope, departments: list[Department]) -> list[Department]:
    """The 部 a viewer may filter by: every 部 for HR; for a head, the 部 of what they may see."""
    tops = [d for d in departments if d.parent_id is None]
    if scope.everything:
        return tops
    parents = {d.parent_id for d in departments if d.id in scope.department_ids}
    return [d for d in tops if d.id in scope.department_ids or d.id in parents]


def visible_departments(scope: Scope, departments: list[Department]) -> list[Department]:
    """The 部 and 課 a viewer may filter a list by, each 部 followed by its 課."""
    ordered = []
    for top in visible_divisions(scope, departments):
        if scope.allows(top.id):
            ordered.append(top)
        ordered += [d for d in departments if d.parent_id == top.id and scope.allows(d.id)]
    return ordered


def _sum(cells, points: int) -> Cell:
    total = Cell(completed_by=[0] * points)
    for cell in cells:
        total.add(cell)
    return total


# --- drill-down ---------------------------------------------------------------------------------

STATUS_FILTERS = (
    "all",
    AssignmentStatus.COMPLETED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.NOT_STARTED,
    "overdue",
)
#: the overdue list: every overdue row, or those started and those not
OVERDUE_STATUS_FILTERS = ("all", AssignmentStatus.IN_PROGRESS, AssignmentStatus.NOT_STARTED)


def drill_down_page_size(courses_shown: int) -> int:
    """Staff per drill-down page: PER_PAGE, fewer when many courses make each row wide."""
    return max(10, min(PER_PAGE, CELLS_PER_PAGE // max(courses_shown, 1)))


def _status_condition(status: str, on: date, course_id: int | None):
    conditions = [Assignment.employee_id == Employee.id, Assignment.required.is_(True)]
    if course_id is not None:
        conditions.append(Assignment.course_id == course_id)
    if status == "overdue":
        conditions += [Assignment.status != AssignmentStatus.COMPLETED, Assignment.due_on < on]
    elif status in tuple(AssignmentStatus):
        conditions.append(Assignment.status == status)
    else:
        return None
    return exists().where(*conditions)


@dataclass
class EmployeeRow:
    employee: Employee
    assignments: dict[int, Assignment]


def department_employees(
    department: Department,
    departments: list[Department],
    *,
    course_id: int | None = None,
    status: str = "all",
    section_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    on: date | None = None,
):
    """One page of a department's staff (a 部 includes its 課) with their required courses.

    Three statements: the page count, the page, and the page's assignment rows."""
    on = on or today()
    ids = {department.id} | {d.id for d in departments if d.parent_id == department.id}
    if section_id in ids:
        ids = {section_id}
    stmt = (
        select(Employee)
        .where(Employee.department_id.in_(sorted(ids)), Employee.active.is_(True))
        .order_by(Employee.department_id, Employee.staff_number)
        .options(lazyload(Employee.role_rows))  # roles are not shown
    )
    condition = _status_condition(status, on, course_id)
    if condition is not None:
        stmt = stmt.where(condition)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    people = list(pagination.items)
    rows: dict[int, dict[int, Assignment]] = {p.id: {} for p in people}
    if people:
        assignments = select(Assignment).where(
            Assignment.employee_id.in_([p.id for p in people]), Assignment.required.is_(True)
        )
        if course_id is not None:
            assignments = assignments.where(Assignment.course_id == course_id)
        for assignment in db.session.scalars(assignments):
            rows[assignment.employee_id][assignment.course_id] = assignment
    return pagination, [EmployeeRow(p, rows[p.id]) for p in people]


# --- overdue list -------------------------------------------------------------------------------


def _overdue_conditions(
    scope: Scope,
    departments: list[Department],
    course_ids: list[int],
    *,
    course_id: int | None,
    division_id: int | None,
    on: date,
    status: str = "all",
) -> list:
    ids = _in_scope_ids(scope, departments, division_id)
    conditions = [
        Assignment.required.is_(True),
        Assignment.due_on < on,
        Assignment.status != AssignmentStatus.COMPLETED,
        Assignment.course_id.in_([course_id] if course_id is not None else course_ids or [-1]),
        Assignment.employee_id.not_in(inactive_employee_ids()),
    ]
    if ids is not None:
        conditions.append(Assignment.department_id.in_(sorted(ids) or [-1]))
    if status in (AssignmentStatus.IN_PROGRESS, AssignmentStatus.NOT_STARTED):
        conditions.append(Assignment.status == status)
    return conditions


def overdue_statement(
    scope: Scope,
    departments: list[Department],
    course_ids: list[int],
    *,
    course_id: int | None = None,
    division_id: int | None = None,
    status: str = "all",
    on: date | None = None,
):
    """Overdue (assignment, employee) pairs, the longest overdue first."""
    conditions = _overdue_conditions(
        scope,
        departments,
        course_ids,
        course_id=course_id,
        division_id=division_id,
        on=on or today(),
        status=status,
    )
    return (
        select(Assignment, Employee)
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(*conditions)
        .options(lazyload(Employee.role_rows))  # roles are not shown
        .order_by(
            Assignment.due_on,
            Assignment.department_id,
            Assignment.employee_id,
            Assignment.course_id,
        )
    )


def overdue_page(
    scope: Scope,
    departments: list[Department],
    course_ids: list[int],
    *,
    page: int = 1,
    course_id: int | None = None,
    division_id: int | None = None,
    status: str = "all",
    on: date | None = None,
):
    """One page of overdue (employee, course) pairs: a count over the index, then the page."""
    on = on or today()
    filters = dict(course_id=course_id, division_id=division_id, status=status, on=on)
    conditions = _overdue_conditions(scope, departments, course_ids, **filters)
    total = db.session.scalar(select(func.count()).select_from(Assignment).where(*conditions))
    stmt = overdue_statement(scope, departments, course_ids, **filters)
    rows = db.session.execute(stmt.limit(PER_PAGE).offset((max(page, 1) - 1) * PER_PAGE)).all()
    return total, rows


def overdue_all(scope: Scope, departments: list[Department], course_ids: list[int], **filters):
    return db.session.execute(overdue_statement(scope, departments, course_ids, **filters)).all()


# --- audit --------------------------------------------------------------------------------------


def record_view(action: str, object_type: str, object_id=None, *, actor_id: int, **detail) -> None:
    """Views of staff-level progress (personal data) and every export are audit-logged.

    Only added to the request's unit of work: the view commits once the page is rendered, so
    recording a view never expires (and reloads) the rows the page shows."""
    audit.record(action, object_type, object_id, actor_id=actor_id, **detail)

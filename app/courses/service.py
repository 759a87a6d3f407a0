"""Course operations: loading courses, applying assignment rules, recording progress.

Completion is stored as it happens (``Assignment`` rows), so that the learner's home and the
HR dashboard only read it. Every write goes through here and commits once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union,
    update,
)
from sqlalchemy.orm import contains_eager

from app.accounts.models import Department, Employee, EmployeeRole
from app.content import items as item_kinds
from app.content.registry import SyncResult
from app.core import audit, clock
from app.core.models import utcnow
from app.courses.models import (
    Assignment,
    AssignmentStatus,
    Course,
    CourseCompletion,
    CourseVersion,
    ItemProgress,
)
from app.extensions import db

#: Staff assigned a course with a fixed due date less than this many days ahead get this long.
LATE_JOINER_DAYS = 30
#: A reopened (recertification) course with a fixed due date gets this long.
RECERTIFY_DAYS = 60
#: The learner's home warns this many days before a due date.
DUE_SOON_DAYS = 14


def today() -> date:
    """The city hall's date (see ``app.core.clock``)."""
    return clock.today()


# --- catalogue ---------------------------------------------------------------------------------


def active_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.sort_order, Course.slug)
        )
    )


def get_course(slug: str) -> Course | None:
    return db.session.scalar(select(Course).where(Course.slug == slug, Course.active.is_(True)))


def measured_seconds(parsed: list) -> dict[str, dict[str, float]]:
    """What the portal measured of the items the courses list (e.g. the ingested videos'
    durations), by kind and slug, from each kind that measures anything."""
    found = {}
    for name, kind in item_kinds.kinds().items():
        if kind.measured is not None:
            slugs = {
                i[name] for f, _p in parsed for i in f.meta["items"] if isinstance(i.get(name), str)
            }
            found[name] = kind.measured(slugs) if slugs else {}
    return found


def first_course_with_checklist() -> Course | None:
    """The course whose printable checklist /courses/checklist shows (the lowest ``order``)."""
    return db.session.scalar(
        select(Course)
        .where(Course.active.is_(True), Course.checklist.is_not(None))
        .order_by(Course.sort_order, Course.slug)
        .limit(1)
    )


def sync_courses(parsed: list, root: Path) -> SyncResult:
    """Load validated course files. Idempotent: an unchanged file changes nothing; a changed
    file gets the next content version; a course whose file is gone is retired (kept, inactive)."""
    from app.courses.content import content_hash, course_record

    result = SyncResult(kind="courses")
    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    seen = set()
    measured = measured_seconds(parsed)
    for course_file, path in parsed:
        record = course_record(course_file, root, measured)
        digest = content_hash(course_file.raw)
        try:
            source = str(path.relative_to(root))
        except ValueError:
            source = str(path)
        course = existing.get(course_file.slug)
        seen.add(course_file.slug)
        if course is None:
            course = Course(
                slug=course_file.slug,
                version=1,
                content_hash=digest,
                source_path=source,
                active=True,
                **record,
            )
            db.session.add(course)
            db.session.flush()
            db.session.add(CourseVersion(course_id=course.id, version=1, content_hash=digest))
            audit.record("course.loaded", "course", course.id, slug=course.slug, version=1)
            result.created += 1
            result.messages.append(f"{course.slug}: v1")
            continue
        changed = course.content_hash != digest or not course.active
        if course.content_hash != digest:
            course.version += 1
            course.content_hash = digest
            db.session.add(
                CourseVersion(course_id=course.id, version=course.version, content_hash=digest)
            )
            audit.record(
                "course.loaded", "course", course.id, slug=course.slug, version=course.version
            )
            result.messages.append(f"{course.slug}: v{course.version}")
        course.active = True
        course.source_path = source
        for key, value in record.items():
            if getattr(course, key) != value:
                setattr(course, key, value)  # e.g. a referenced video's new title
        if changed:
            course.synced_at = utcnow()
            result.updated += 1
        else:
            result.unchanged += 1
    for slug, course in existing.items():
        if slug not in seen and course.active:
            course.active = False
            audit.record("course.retired", "course", course.id, slug=slug)
            result.messages.append(f"{slug}: retired")
    db.session.commit()
    return result


# --- assignment rules --------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffFacts:
    """What the assignment rules look at for one employee."""

    employee_id: int
    department_id: int | None
    department_codes: frozenset[str]  # the 課 and its 部
    position: str
    roles: frozenset[str]


@dataclass(frozen=True)
class Rule:
    """A course's ``required_for``, ready to test many staff against."""

    all_staff: bool
    departments: frozenset[str]
    positions: frozenset[str]
    roles: frozenset[str]

    @classmethod
    def of(cls, rule: dict | None) -> Rule:
        rule = rule or {}
        return cls(
            bool(rule.get("all_staff")),
            frozenset(rule.get("departments") or ()),
            frozenset(rule.get("positions") or ()),
            frozenset(rule.get("roles") or ()),
        )

    def matches(self, facts: StaffFacts) -> bool:
        return (
            self.all_staff
            or not self.departments.isdisjoint(facts.department_codes)
            or (bool(facts.position) and facts.position in self.positions)
            or not self.roles.isdisjoint(facts.roles)
        )


def rule_matches(rule: dict, facts: StaffFacts) -> bool:
    return Rule.of(rule).matches(facts)


def due_for(course: Course, assigned_on: date) -> date | None:
    if course.due_within_days:
        return assigned_on + timedelta(days=course.due_within_days)
    if course.due_on:
        return max(course.due_on, assigned_on + timedelta(days=LATE_JOINER_DAYS))
    return None


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class ApplySummary:
    assigned: int = 0
    no_longer_required: int = 0
    reopened: int = 0
    completed: int = 0
    employees: int = 0
    messages: list[str] = field(default_factory=list)


def _chunks(values: list[int], size: int = 900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def apply_assignments(
    employee_ids: list[int] | None = None,
    *,
    on: date | None = None,
    actor_id: int | None = None,
    reason: str = "manual",
) -> ApplySummary:
    """Apply every active course's ``required_for`` rule to the given (default: all) active staff.

    New requirements are assigned with their due date; a course no longer required (after a
    transfer) keeps its row and completion but leaves the to-do list; a recertification whose
    completion has lapsed is reopened. Items done before the assignment count at once.

    Set-based: the rules become a small table of (course, kind, value) atoms, the pairs they
    require are computed by one INSERT … SELECT into a temporary table, and the assignment rows
    are then inserted and updated by a handful of statements, whatever the number of staff
    (see ``benchmarks/bench_assignment.py``).
    """
    on = on or today()
    summary = ApplySummary()
    courses = active_courses()
    work = _AssignmentWork(db.session.connection())
    try:
        summary.employees = work.scope(employee_ids)
        if not courses or not summary.employees:
            return summary
        work.required(courses, on)
        now = utcnow()
        newly_required = work.newly_required_with_progress()
        inserted = work.insert_new(on, now)
        required_again = work.require_again(on, now)
        summary.assigned = inserted + required_again
        summary.no_longer_required = work.release(courses, now)
        work.follow_department(courses, now)
        reopen = work.lapsed(courses, on)
    finally:
        work.drop()
    courses_by_id = {c.id: c for c in courses}
    for chunk in _chunks(reopen):
        for row in db.session.scalars(select(Assignment).where(Assignment.id.in_(chunk))):
            _reopen(row, courses_by_id[row.course_id], on)
            summary.reopened += 1
    db.session.flush()
    if newly_required:
        summary.completed = _catch_up(newly_required)
    if summary.assigned or summary.no_longer_required or summary.reopened:
        audit.record(
            "course.assignments_applied",
            "course_assignment",
            None,
            actor_id=actor_id,
            reason=reason,
            assigned=summary.assigned,
            no_longer_required=summary.no_longer_required,
            reopened=summary.reopened,
            employees=summary.employees,
        )
    db.session.commit()
    return summary


_meta = MetaData()
#: The staff a run looks at (active employees, all or the ones given).
_scope = Table(
    "tmp_assignment_scope",
    _meta,
    Column("employee_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)
#: The rules, one row per thing a course is required for: all / department / position / role.
_atoms = Table(
    "tmp_assignment_rule",
    _meta,
    Column("course_id", Integer),
    Column("kind", String(12)),
    Column("value", String(100)),
    Column("due_on", Date),
    prefixes=["TEMPORARY"],
)
#: Every (employee, course) pair the rules require, with the employee's department and the due date.
_required = Table(
    "tmp_assignment_required",
    _meta,
    Column("employee_id", Integer, primary_key=True),
    Column("course_id", Integer, primary_key=True),
    Column("department_id", Integer),
    Column("due_on", Date),
    prefixes=["TEMPORARY"],
)


class _AssignmentWork:
    """The statements of one assignment run, on the session's connection (one transaction)."""

    def __init__(self, connection):
        self.connection = connection
        self.drop()
        for table in (_scope, _atoms, _required):
            table.create(connection)

    def drop(self) -> None:
        for table in (_required, _atoms, _scope):
            self.connection.execute(text(f"DROP TABLE IF EXISTS {table.name}"))

    def scope(self, employee_ids: list[int] | None) -> int:
        active = select(Employee.id).where(Employee.active.is_(True))
        if employee_ids is None:
            self.connection.execute(insert(_scope).from_select(["employee_id"], active))
        else:
            for chunk in _chunks(sorted(set(employee_ids))):
                self.connection.execute(
                    insert(_scope).from_select(
                        ["employee_id"], active.where(Employee.id.in_(chunk))
                    )
                )
        # (an INSERT … SELECT's row count is not reported by every driver: count instead)
        return self.connection.execute(select(func.count()).select_from(_scope)).scalar_one()

    def required(self, courses: list[Course], on: date) -> None:
        atoms = []
        for course in courses:
            rule, due_on = Rule.of(course.required_for), due_for(course, on)
            if rule.all_staff or "learner" in rule.roles:  # every employee has the learner role
                atoms.append({"course_id": course.id, "kind": "all", "value": "", "due_on": due_on})
                continue
            atoms += [
                {"course_id": course.id, "kind": "department", "value": v, "due_on": due_on}
                for v in rule.departments
            ]
            atoms += [
                {"course_id": course.id, "kind": "position", "value": v, "due_on": due_on}
                for v in rule.positions
                if v
            ]
            atoms += [
                {"course_id": course.id, "kind": "role", "value": v, "due_on": due_on}
                for v in rule.roles
            ]
        if not atoms:
            return
        self.connection.execute(insert(_atoms), atoms)
        e, a, r = Employee.__table__, _atoms, EmployeeRole.__table__
        department, parent = (
            Department.__table__.alias("department_of"),
            Department.__table__.alias("parent_of"),
        )
        staff = e.join(_scope, _scope.c.employee_id == e.c.id)
        columns = (e.c.id, a.c.course_id, e.c.department_id, a.c.due_on)
        by_department = staff.outerjoin(department, department.c.id == e.c.department_id).outerjoin(
            parent, parent.c.id == department.c.parent_id
        )
        pairs = union(
            select(*columns).select_from(staff.join(a, a.c.kind == "all")),
            select(*columns).select_from(
                by_department.join(
                    a,
                    and_(
                        a.c.kind == "department",
                        or_(a.c.value == department.c.code, a.c.value == parent.c.code),
                    ),
                )
            ),
            select(*columns).select_from(
                staff.join(a, and_(a.c.kind == "position", a.c.value == e.c.position))
            ),
            select(*columns).select_from(
                staff.join(r, r.c.employee_id == e.c.id).join(
                    a, and_(a.c.kind == "role", a.c.value == r.c.role)
                )
            ),
        ).subquery()
        self.connection.execute(
            insert(_required).from_select(
                ["employee_id", "course_id", "department_id", "due_on"], select(pairs)
            )
        )

    def _row_for(self, table=None):
        table = table if table is not None else Assignment.__table__
        return and_(
            table.c.employee_id == _required.c.employee_id,
            table.c.course_id == _required.c.course_id,
        )

    def newly_required_with_progress(self) -> list[tuple[int, int]]:
        """Pairs about to be (re)assigned to staff who have done any item: the only ones whose
        earlier work can count at once."""
        a = Assignment.__table__
        done_something = select(ItemProgress.employee_id).distinct()
        stmt = (
            select(_required.c.employee_id, _required.c.course_id)
            .select_from(_required.outerjoin(a, self._row_for(a)))
            .where(
                _required.c.employee_id.in_(done_something),
                or_(
                    a.c.id.is_(None),
                    and_(a.c.required.is_(False), a.c.status != AssignmentStatus.COMPLETED),
                ),
            )
        )
        return [tuple(row) for row in self.connection.execute(stmt)]

    def insert_new(self, on: date, now: datetime) -> int:
        a = Assignment.__table__
        new = ~exists().where(self._row_for(a))
        count = self.connection.execute(
            select(func.count()).select_from(_required).where(new)
        ).scalar_one()
        if count:
            missing = select(
                _required.c.employee_id,
                _required.c.course_id,
                _required.c.department_id,
                literal(True),
                literal(AssignmentStatus.NOT_STARTED),
                literal(0.0),
                literal(on),
                _required.c.due_on,
                literal(now),
            ).where(new)
            self.connection.execute(
                insert(a).from_select(
                    [
                        "employee_id",
                        "course_id",
                        "department_id",
                        "required",
                        "status",
                        "progress",
                        "assigned_on",
                        "due_on",
                        "updated_at",
                    ],
                    missing,
                )
            )
        return count

    def require_again(self, on: date, now: datetime) -> int:
        """Rows no longer required that the rules require again (a transfer back, a new rule):
        an unfinished one gets a new assignment date and due date; a completion stays."""
        a = Assignment.__table__
        again = exists().where(self._row_for(a))
        due = select(_required.c.due_on).where(self._row_for(a)).scalar_subquery()
        unfinished = a.c.status != AssignmentStatus.COMPLETED
        return self.connection.execute(
            update(a)
            .where(a.c.required.is_(False), again)
            .values(
                required=True,
                updated_at=now,
                assigned_on=case((unfinished, literal(on)), else_=a.c.assigned_on),
                due_on=case((unfinished, due), else_=a.c.due_on),
            )
        ).rowcount

    def release(self, courses: list[Course], now: datetime) -> int:
        """Rows the rules no longer require: they leave the to-do list, the completion stays."""
        a = Assignment.__table__
        return self.connection.execute(
            update(a)
            .where(
                a.c.required.is_(True),
                a.c.course_id.in_([c.id for c in courses]),
                a.c.employee_id.in_(select(_scope.c.employee_id)),
                ~exists().where(self._row_for(a)),
            )
            .values(required=False, updated_at=now)
        ).rowcount

    def follow_department(self, courses: list[Course], now: datetime) -> int:
        """A transfer: every row of the person follows them to the new department."""
        a, e = Assignment.__table__, Employee.__table__
        current = select(e.c.department_id).where(e.c.id == a.c.employee_id).scalar_subquery()
        return self.connection.execute(
            update(a)
            .where(
                a.c.course_id.in_([c.id for c in courses]),
                a.c.employee_id.in_(select(_scope.c.employee_id)),
                a.c.department_id.is_distinct_from(current),
            )
            .values(department_id=current, updated_at=now)
        ).rowcount

    def lapsed(self, courses: list[Course], on: date) -> list[int]:
        a = Assignment.__table__
        return list(
            self.connection.execute(
                select(a.c.id).where(
                    a.c.status == AssignmentStatus.COMPLETED,
                    a.c.expires_on.is_not(None),
                    a.c.expires_on <= on,
                    a.c.course_id.in_([c.id for c in courses]),
                    a.c.employee_id.in_(select(_scope.c.employee_id)),
                )
            ).scalars()
        )


def _reopen(row: Assignment, course: Course, on: date) -> None:
    """A recertification falls due: a new cycle starts; the earlier completion stays on record."""
    row.status = AssignmentStatus.NOT_STARTED
    row.progress = 0.0
    row.cycle_started_at = utcnow()
    row.started_at = None
    row.completed_at = None
    row.expires_on = None
    row.last_item = None
    row.assigned_on = on
    row.due_on = on + timedelta(days=course.due_within_days or RECERTIFY_DAYS)
    audit.record("course.recertification_opened", "course_assignment", row.id, course=course.slug)


def _catch_up(keys: list[tuple[int, int]]) -> int:
    """Credit items already done by newly assigned staff. Only staff who have done anything
    are looked at: one query for who they are, one for their items, one for their rows."""
    wanted = set(keys)
    employee_ids = sorted({employee_id for employee_id, _course in keys})
    progress: dict[int, dict[tuple[str, str], ItemProgress]] = {}
    for chunk in _chunks(employee_ids):
        for item in db.session.scalars(
            select(ItemProgress).where(ItemProgress.employee_id.in_(chunk))
        ):
            progress.setdefault(item.employee_id, {})[(item.kind, item.slug)] = item
    completed = 0
    for chunk in _chunks(sorted(progress)):
        for row in db.session.scalars(select(Assignment).where(Assignment.employee_id.in_(chunk))):
            if (row.employee_id, row.course_id) in wanted and _update_row(
                row, row.course, progress[row.employee_id]
            ):
                completed += 1
    return completed


# --- progress -----------------------------------------------------------------------------------


def item_key(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def reading_slug(course: Course, reading: str) -> str:
    return f"{course.slug}/{reading}"


def _in_course(kind: str) -> bool:
    found = item_kinds.get(kind)
    return found is not None and found.in_course


def progress_slug(course: Course, kind: str, slug: str) -> str:
    """The slug an item's progress is kept under: an item that lives in the course file
    (a reading) is the course's own, so two courses' readings never mix."""
    return reading_slug(course, slug) if _in_course(kind) else slug


def _course_item_slug(course: Course, item: dict) -> str:
    return progress_slug(course, item["kind"], item["slug"])


def counted_items(course: Course) -> list[dict]:
    """The items the completion rule requires (``quizzes``: the assessed kinds only)."""
    items = [i for i in course.items if not i.get("optional")]
    if course.completion == "quizzes":
        known = item_kinds.kinds()
        items = [i for i in items if i["kind"] in known and known[i["kind"]].assessment]
    return items


def _item_state(course: Course, item: dict, mine: dict, since: datetime | None) -> float:
    progress = mine.get((item["kind"], _course_item_slug(course, item)))
    if progress is None:
        return 0.0
    if progress.completed_at is not None and (since is None or progress.completed_at >= since):
        return 1.0
    if progress.started_at is not None and (since is None or progress.started_at >= since):
        return 0.5
    if progress.completed_at is not None:
        return 0.5  # done in an earlier cycle: shown as started, not as done
    return 0.0


def _update_row(row: Assignment, course: Course, mine: dict, last: str | None = None) -> bool:
    """Recompute one assignment from the employee's item progress. Returns True on completion.

    Completion only moves forward: a finished cycle is never undone here.
    """
    if row.status == AssignmentStatus.COMPLETED:
        return False
    items = counted_items(course)
    states = [_item_state(course, i, mine, row.cycle_started_at) for i in items]
    shown = [_item_state(course, i, mine, row.cycle_started_at) for i in course.items]
    if last:
        row.last_item = last
    if any(shown) and row.started_at is None:
        row.started_at = utcnow()
    if items and all(s == 1.0 for s in states):
        now = utcnow()
        row.status = AssignmentStatus.COMPLETED
        row.progress = 1.0
        row.completed_at = now
        row.completed_version = course.version
        row.expires_on = (
            add_months(clock.local_date(now), course.recertify_months)
            if course.recertify_months
            else None
        )
        department_id = db.session.scalar(
            select(Employee.department_id).where(Employee.id == row.employee_id)
        )
        db.session.add(
            CourseCompletion(
                employee_id=row.employee_id,
                course_id=course.id,
                course_version=course.version,
                completed_at=now,
                department_id=department_id,
            )
        )
        audit.record(
            "course.completed",
            "course_assignment",
            row.id,
            actor_id=row.employee_id,
            course=course.slug,
            version=course.version,
        )
        return True
    fraction = sum(shown) / len(shown) if shown else 0.0
    row.progress = max(row.progress or 0.0, round(min(fraction, 0.99), 4))
    if any(shown) and row.status == AssignmentStatus.NOT_STARTED:
        row.status = AssignmentStatus.IN_PROGRESS
    return False


def record_item_event(
    employee_id: int, kind: str, slug: str, version: int | None, *, completed: bool
) -> list[str]:
    """Record that an employee started or completed a learning item, and move every course
    holding that item forward. Returns the slugs of courses completed by this event.

    Runs inside the caller's transaction (it only flushes): the area that reports the event, or
    the view, commits once, so the item and its courses are recorded together or not at all."""
    employee = db.session.get(Employee, employee_id)
    if employee is None:
        return []
    now = utcnow()
    progress = db.session.scalar(
        select(ItemProgress).where(
            ItemProgress.employee_id == employee_id,
            ItemProgress.kind == kind,
            ItemProgress.slug == slug,
        )
    )
    if progress is None:
        progress = ItemProgress(employee_id=employee_id, kind=kind, slug=slug)
        db.session.add(progress)
    progress.version = version
    if completed:
        progress.started_at = progress.started_at or now
        progress.completed_at = now
        progress.completed_version = version
    elif progress.started_at is None or progress.completed_at is not None:
        progress.started_at = now  # first start, or started again (a new cycle or version)
    db.session.flush()

    courses = [
        c
        for c in active_courses()
        if any(i["kind"] == kind and _course_item_slug(c, i) == slug for i in c.items)
    ]
    if not courses:
        return []
    mine = {
        (p.kind, p.slug): p
        for p in db.session.scalars(
            select(ItemProgress).where(ItemProgress.employee_id == employee_id)
        )
    }
    rows = {
        r.course_id: r
        for r in db.session.scalars(
            select(Assignment).where(
                Assignment.employee_id == employee_id,
                Assignment.course_id.in_([c.id for c in courses]),
            )
        )
    }
    done = []
    for course in courses:
        row = rows.get(course.id)
        if row is None:
            # Taking a course nobody required of this employee: tracked, off the dashboard.
            row = Assignment(
                employee_id=employee_id,
                course_id=course.id,
                department_id=employee.department_id,
                required=False,
                status=AssignmentStatus.NOT_STARTED,
                progress=0.0,
                assigned_on=today(),
                due_on=None,
            )
            row.course = course
            db.session.add(row)
        if _update_row(row, course, mine, last=item_key(kind, slug)):
            done.append(course.slug)
    db.session.flush()
    return done


@dataclass
class Reconciled:
    """What ``reconcile`` found: completions an area holds that its courses had not recorded."""

    checked: int = 0
    repaired: dict[str, int] = field(default_factory=dict)  # kind → completions recorded now

    @property
    def total(self) -> int:
        return sum(self.repaired.values())


def reconcile(*, dry_run: bool = False) -> Reconciled:
    """Record every completion an area holds (a watched video, a passed scenario or quiz…) that
    its courses do not know of, and move those courses on. Idempotent; commits once.

    Completions reach the courses inside the area's transaction, so a gap means data from
    before that rule, a restore of one area's tables, or a manual change; this repairs it.
    """
    result = Reconciled()
    known = {
        (p.employee_id, p.kind, p.slug): p.completed_version
        for p in db.session.scalars(
            select(ItemProgress).where(ItemProgress.completed_at.is_not(None))
        )
    }
    for kind in item_kinds.kinds().values():
        if kind.completions is None:
            continue
        for employee_id, slug, version in list(kind.completions()):
            result.checked += 1
            key = (employee_id, kind.name, slug)
            if key in known and (version is None or (known[key] or 0) >= version):
                continue
            result.repaired[kind.name] = result.repaired.get(kind.name, 0) + 1
            if not dry_run:
                record_item_event(employee_id, kind.name, slug, version, completed=True)
                known[key] = version
    if dry_run:
        db.session.rollback()
        return result
    if result.total:
        audit.record(
            "courses.reconciled", "course", None, checked=result.checked, **result.repaired
        )
    db.session.commit()
    return result


def mark_reading_done(employee: Employee, course: Course, reading: str) -> list[str]:
    from app.courses.kind import KIND

    return record_item_event(
        employee.id, KIND.name, reading_slug(course, reading), course.version, completed=True
    )


def mark_reading_opened(employee: Employee, course: Course, reading: str) -> None:
    from app.courses.kind import KIND

    key = reading_slug(course, reading)
    exists = db.session.scalar(
        select(ItemProgress.id).where(
            ItemProgress.employee_id == employee.id,
            ItemProgress.kind == KIND.name,
            ItemProgress.slug == key,
        )
    )
    if exists is None:
        record_item_event(employee.id, KIND.name, key, course.version, completed=False)


# --- the learner's view -------------------------------------------------------------------------


def item_url(course: Course, item: dict) -> str | None:
    """The page of an item; None when no installed kind plays it."""
    kind = item_kinds.get(item["kind"])
    if (
        kind is None
        or not kind.player_endpoint
        or kind.player_endpoint not in current_app.view_functions
    ):
        return None
    return url_for(kind.player_endpoint, **kind.url_args(course.slug, item["slug"]))


@dataclass
class ItemView:
    kind: str  # the name of its learning-item kind (app/content/items.py)
    slug: str
    title: str
    optional: bool
    state: float  # 0, 0.5 (started) or 1 (done)
    url: str | None
    seconds: float | None = None  # expected time (app/courses/timing.py)


@dataclass
class CourseView:
    course: Course
    row: Assignment | None
    items: list[ItemView]
    next_item: ItemView | None
    overdue: bool
    due_soon: bool


def _my_progress(employee_id: int) -> dict:
    return {
        (p.kind, p.slug): p
        for p in db.session.scalars(
            select(ItemProgress).where(ItemProgress.employee_id == employee_id)
        )
    }


def course_view(
    course: Course, row: Assignment | None, mine: dict, locale: str, on: date
) -> CourseView:
    since = row.cycle_started_at if row is not None else None
    items = []
    for item in course.items:
        state = _item_state(course, item, mine, since)
        title = (
            (item.get("title_en") if locale == "en" else None)
            or item.get("title_ja")
            or item["slug"]
        )
        items.append(
            ItemView(
                item["kind"],
                item["slug"],
                title,
                bool(item.get("optional")),
                state,
                item_url(course, item),
                item.get("seconds"),
            )
        )
    # Continue where I left off: the first unfinished item after the last one worked on,
    # or else the first unfinished item.
    next_item = None
    unfinished = [i for i in items if i.state < 1.0]
    if row is not None and row.last_item:
        keys = [item_key(i.kind, progress_slug(course, i.kind, i.slug)) for i in items]
        if row.last_item in keys:
            position = keys.index(row.last_item)
            later = [i for i in items[position:] if i.state < 1.0]
            next_item = later[0] if later else None
    if next_item is None and unfinished:
        next_item = unfinished[0]
    overdue = row is not None and row.is_overdue(on)
    due_soon = (
        row is not None
        and not overdue
        and row.status != AssignmentStatus.COMPLETED
        and row.due_on is not None
        and row.due_on <= on + timedelta(days=DUE_SOON_DAYS)
    )
    return CourseView(course, row, items, next_item, overdue, due_soon)


@dataclass
class MyTraining:
    required: list[CourseView]
    completed: list[Assignment]
    overdue_count: int
    due_soon_count: int
    #: the course whose printable checklist the home links to (one of mine, lowest ``order``)
    checklist_course: Course | None = None


def my_training(employee: Employee, locale: str = "ja", on: date | None = None) -> MyTraining:
    """The learner's home: required courses still to do (overdue first, then by due date),
    and completed courses with their dates. Three queries whatever the number of courses."""
    on = on or today()
    rows = list(
        db.session.scalars(
            select(Assignment)
            .join(Course)
            .options(contains_eager(Assignment.course))
            .where(Assignment.employee_id == employee.id, Course.active.is_(True))
        )
    )
    mine = _my_progress(employee.id) if rows else {}
    todo = [
        course_view(r.course, r, mine, locale, on)
        for r in rows
        if r.required and r.status != AssignmentStatus.COMPLETED
    ]
    todo.sort(
        key=lambda v: (not v.overdue, v.row.due_on or date.max, v.course.sort_order, v.course.slug)
    )
    # A completion is kept even when its course later lapsed into a new cycle.
    completed = [r for r in rows if r.status == AssignmentStatus.COMPLETED]
    completed.sort(key=lambda r: r.completed_at or datetime.min, reverse=True)
    with_checklist = sorted(
        (r.course for r in rows if r.course.checklist), key=lambda c: (c.sort_order, c.slug)
    )
    return MyTraining(
        required=todo,
        completed=completed,
        overdue_count=sum(1 for v in todo if v.overdue),
        due_soon_count=sum(1 for v in todo if v.due_soon),
        checklist_course=with_checklist[0] if with_checklist else None,
    )


def assignment_for(employee_id: int, course: Course) -> Assignment | None:
    return db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == employee_id, Assignment.course_id == course.id
        )
    )


def my_course(employee: Employee, course: Course, locale: str = "ja") -> CourseView:
    return course_view(
        course, assignment_for(employee.id, course), _my_progress(employee.id), locale, today()
    )


def latest_completion(employee_id: int, course: Course) -> CourseCompletion | None:
    return db.session.scalar(
        select(CourseCompletion)
        .where(CourseCompletion.employee_id == employee_id, CourseCompletion.course_id == course.id)
        .order_by(CourseCompletion.completed_at.desc())
        .limit(1)
    )


def record_certificate_view(employee: Employee, completion: CourseCompletion) -> None:
    audit.record("course.certificate_printed", "course_completion", completion.id)
    db.session.commit()


def inactive_employee_ids():
    """A subquery of deactivated staff (few): their rows stay but leave the counts."""
    return select(Employee.id).where(Employee.active.is_(False)).scalar_subquery()


# --- the training admin's overview -------------------------------------------------------------


@dataclass
class CourseOverview:
    course: Course
    required: int
    completed: int
    overdue: int


def assignment_overview(on: date | None = None) -> list[CourseOverview]:
    """Every active course with its counts of required staff (one aggregate query)."""
    from sqlalchemy import case, func

    on = on or today()
    courses = active_courses()
    counts = {
        course_id: (total, done, overdue)
        for course_id, total, done, overdue in db.session.execute(
            select(
                Assignment.course_id,
                func.count(),
                func.sum(case((Assignment.status == AssignmentStatus.COMPLETED, 1), else_=0)),
                func.sum(
                    case(
                        (
                            (Assignment.status != AssignmentStatus.COMPLETED)
                            & (Assignment.due_on < on),
                            1,
                        ),
                        else_=0,
                    )
                ),
            )
            .where(
                Assignment.required.is_(True),
                Assignment.employee_id.not_in(inactive_employee_ids()),
            )
            .group_by(Assignment.course_id)
        )
    }
    return [CourseOverview(c, *(int(x or 0) for x in counts.get(c.id, (0, 0, 0)))) for c in courses]

"""Courses, the per-employee assignment rows that hold completion as it happens, and the
learning-item progress reported by the video, scenario and quiz areas."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db


class AssignmentStatus(StrEnum):
    """Where an employee stands in an assigned course (stored as its value).

    Completion only moves forward within a cycle: not started → in progress → completed
    (a recertification opens a new cycle)."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class Course(db.Model):
    """A course as loaded from ``courses/<slug>.md``; ``version`` grows when the file changes."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(db.String(100), unique=True)
    title_ja: Mapped[str] = mapped_column(db.String(200))
    title_en: Mapped[str | None] = mapped_column(db.String(200))
    summary_ja: Mapped[str | None] = mapped_column(db.Text)
    summary_en: Mapped[str | None] = mapped_column(db.Text)
    intro_html: Mapped[str | None] = mapped_column(
        db.Text
    )  # the Markdown body before the readings, sanitised
    #: ordered items: [{"kind", "slug", "title_ja", "title_en", "optional"}]; readings carry "html"
    items: Mapped[list] = mapped_column(JSON, default=list)
    completion: Mapped[str] = mapped_column(db.String(20), default="all")  # all | quizzes
    #: {"all_staff": bool, "departments": [codes], "positions": [...], "roles": [...]}
    required_for: Mapped[dict] = mapped_column(JSON, default=dict)
    due_on: Mapped[date | None]  # a fixed due date …
    due_within_days: Mapped[int | None]  # … or N days after assignment
    recertify_months: Mapped[int | None]
    #: learning objectives: [{"ja": …, "en": …}]
    objectives: Mapped[list | None] = mapped_column(JSON)
    #: the printable checklist (a reading of the course file): {"slug", "title_ja", "html"}
    checklist: Mapped[dict | None] = mapped_column(JSON)
    sort_order: Mapped[int] = mapped_column(default=100)
    version: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(db.String(64))
    source_path: Mapped[str] = mapped_column(db.String(300))
    active: Mapped[bool] = mapped_column(default=True)
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    def title(self, locale: str = "ja") -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_ja

    def summary(self, locale: str = "ja") -> str:
        return (self.summary_en if locale == "en" and self.summary_en else self.summary_ja) or ""

    @property
    def is_required_for_someone(self) -> bool:
        rule = self.required_for or {}
        return bool(
            rule.get("all_staff")
            or rule.get("departments")
            or rule.get("positions")
            or rule.get("roles")
        )

    def objective_texts(self, locale: str = "ja") -> list[str]:
        return [
            (o.get("en") if locale == "en" else None) or o.get("ja") or ""
            for o in self.objectives or []
        ]

    @property
    def expected_time(self):
        """The course's expected time from its items (see ``app/courses/timing.py``)."""
        from app.courses.timing import CourseTime

        return CourseTime.from_items(self.items)

    def __repr__(self) -> str:
        return f"<Course {self.slug} v{self.version}>"


class CourseVersion(db.Model):
    """Each content version of a course, kept so a completion can name the version it was earned on."""

    __tablename__ = "course_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(db.ForeignKey("course.id"), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(db.String(64))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        db.UniqueConstraint("course_id", "version", name="uq_course_version_course_id_version"),
    )


class Assignment(db.Model):
    """One employee × one course: whether it is required, by when, and how far they are.

    Written as things happen (assignment rules, item signals) so that pages only read it.
    Rows are never deleted: a course no longer required after a transfer keeps its row with
    ``required`` false, and its completion.
    """

    __tablename__ = "course_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"))
    course_id: Mapped[int] = mapped_column(db.ForeignKey("course.id"))
    #: the employee's current department, kept up to date by every assignment run (roster
    #: import, transfer), so that the dashboard aggregates this table alone
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("department.id"))
    required: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(db.String(16), default=AssignmentStatus.NOT_STARTED)
    progress: Mapped[float] = mapped_column(default=0.0)  # 0..1
    assigned_on: Mapped[date]
    due_on: Mapped[date | None]
    #: a recertification cycle counts only items done from here on (None: the first cycle, all count)
    cycle_started_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_version: Mapped[int | None]
    expires_on: Mapped[date | None]  # recertification: the completion lapses on this day
    last_item: Mapped[str | None] = mapped_column(db.String(120))  # "kind:slug" last worked on
    reminded_due_on: Mapped[date | None]  # the due date an e-mail reminder was last sent for
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship()

    __table_args__ = (
        db.UniqueConstraint(
            "employee_id", "course_id", name="uq_course_assignment_employee_id_course_id"
        ),
        # The dashboard's GROUP BY department, course reads this index alone, in its order.
        db.Index(
            "ix_course_assignment_report",
            "required",
            "department_id",
            "course_id",
            "status",
            "due_on",
            "completed_at",
            "employee_id",
        ),
        # The overdue list walks required rows in its order (due date, department, employee,
        # course) and stops after one page; the status is read from the index too.
        db.Index(
            "ix_course_assignment_due",
            "required",
            "due_on",
            "department_id",
            "employee_id",
            "course_id",
            "status",
        ),
    )

    @property
    def is_complete(self) -> bool:
        return self.status == AssignmentStatus.COMPLETED

    @property
    def is_in_progress(self) -> bool:
        return self.status == AssignmentStatus.IN_PROGRESS

    def is_overdue(self, today: date) -> bool:
        return (
            self.status != AssignmentStatus.COMPLETED
            and self.due_on is not None
            and self.due_on < today
        )


class CourseCompletion(db.Model):
    """Every completion ever earned (one per cycle): the certificate's record. Never changed."""

    __tablename__ = "course_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    course_id: Mapped[int] = mapped_column(db.ForeignKey("course.id"), index=True)
    course_version: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    department_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("department.id")
    )  # at completion

    course: Mapped[Course] = relationship()


class ItemProgress(db.Model):
    """What an employee did with one learning item (video, scenario, quiz or reading).

    Filled from the ``learning_item_started`` / ``learning_item_completed`` signals (readings:
    from the reading page). Only moves forward.
    """

    __tablename__ = "learning_item_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"))
    kind: Mapped[str] = mapped_column(db.String(16))
    slug: Mapped[str] = mapped_column(db.String(200))
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    version: Mapped[int | None]  # content version of the latest event
    completed_version: Mapped[int | None]

    __table_args__ = (
        db.UniqueConstraint(
            "employee_id", "kind", "slug", name="uq_learning_item_progress_employee_id_kind_slug"
        ),
    )

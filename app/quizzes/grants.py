"""Extra attempts: who is locked out of a quiz, and the training office's grants.

A learner is locked out of a quiz when they have used every attempt they are allowed on its
current version (the quiz's ``max_attempts`` plus any grants on that version) without passing.
The training office may grant one such learner a few more attempts, with a reason. The grant
row keeps the reason; the audit event points at the grant and holds ids and counts only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from app.accounts.models import Department, Employee
from app.core import audit
from app.extensions import db
from app.quizzes.models import Quiz, QuizAttempt, QuizAttemptGrant, QuizVersion
from app.quizzes.service import current_version

MAX_EXTRA_ATTEMPTS = 5  # per grant; the office can grant again if a learner needs more
REASON_MAX_LENGTH = 500
PER_PAGE = 50


class GrantRefused(Exception):
    """The grant was refused and nothing was written; ``message`` says why, translated."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class LockedOut:
    employee: Employee
    department: Department | None
    used: int
    allowed: int
    last_correct: int
    last_total: int
    last_percent: int
    last_submitted_at: datetime


@dataclass
class Page:
    """One page of a list, shaped like Flask-SQLAlchemy's pagination for the ``pager`` macro."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _locked_out_statement(version: QuizVersion) -> Select:
    """Active employees who used every allowed attempt on ``version`` and passed none, with the
    count of attempts, the allowance and their last attempt."""
    used = (
        select(
            QuizAttempt.employee_id,
            func.count(QuizAttempt.id).label("used"),
            func.max(QuizAttempt.id).label("last_id"),
            func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)).label("passes"),
        )
        .where(QuizAttempt.version_id == version.id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.employee_id)
        .subquery()
    )
    granted = (
        select(
            QuizAttemptGrant.employee_id, func.sum(QuizAttemptGrant.extra_attempts).label("extra")
        )
        .where(QuizAttemptGrant.version_id == version.id)
        .group_by(QuizAttemptGrant.employee_id)
        .subquery()
    )
    allowed = (version.max_attempts + func.coalesce(granted.c.extra, 0)).label("allowed")
    return (
        select(
            Employee,
            Department,
            used.c.used,
            allowed,
            QuizAttempt.correct_count,
            QuizAttempt.question_count,
            QuizAttempt.percent,
            QuizAttempt.submitted_at,
        )
        .join(used, used.c.employee_id == Employee.id)
        .join(QuizAttempt, QuizAttempt.id == used.c.last_id)
        .outerjoin(granted, granted.c.employee_id == Employee.id)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(
            Employee.active.is_(True),
            used.c.passes == 0,
            used.c.used >= version.max_attempts + func.coalesce(granted.c.extra, 0),
        )
    )


def count_locked_out(version: QuizVersion) -> int:
    if not version.max_attempts:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(_locked_out_statement(version).subquery())
    )


def locked_out(version: QuizVersion, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of the learners locked out of ``version``, by department and 職員番号.

    A fixed number of statements whatever the page's length: the count, the page (employees,
    departments and last attempts in one join) and the employees' roles. A quiz without a limit
    locks nobody out."""
    if not version.max_attempts:
        return Page([], 1, per_page, 0)
    total = count_locked_out(version)
    page = min(max(page, 1), max(math.ceil(total / per_page), 1))
    stmt = (
        _locked_out_statement(version)
        .order_by(Department.code, Employee.staff_number)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = [LockedOut(*row) for row in db.session.execute(stmt)]
    return Page(items, page, per_page, total)


RECENT_GRANTS = 20


def recent_grants(quiz: Quiz, limit: int = RECENT_GRANTS) -> list[QuizAttemptGrant]:
    """The latest grants on any version of ``quiz``, newest first, with who received and who gave
    them (a bounded list, three statements whatever its length)."""
    from sqlalchemy.orm import selectinload

    return list(
        db.session.scalars(
            select(QuizAttemptGrant)
            .options(
                selectinload(QuizAttemptGrant.employee), selectinload(QuizAttemptGrant.granted_by)
            )
            .where(QuizAttemptGrant.quiz_id == quiz.id)
            .order_by(QuizAttemptGrant.granted_at.desc(), QuizAttemptGrant.id.desc())
            .limit(limit)
        )
    )


def is_locked_out(employee_id: int, version: QuizVersion) -> bool:
    if not version.max_attempts:
        return False
    stmt = _locked_out_statement(version).where(Employee.id == employee_id)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) > 0


def grant_attempts(
    actor_id: int,
    quiz: Quiz,
    employee_id: int | None,
    extra_attempts: int | None,
    reason: str | None,
) -> QuizAttemptGrant:
    """Grant ``extra_attempts`` more attempts on the quiz's current version to a locked-out learner.

    Raises :class:`GrantRefused` (nothing written) for an unknown or inactive employee, one who is
    not locked out, a count outside 1–``MAX_EXTRA_ATTEMPTS`` or an empty reason. Adds the grant and
    its audit event to the session; the caller commits.
    """
    reason = (reason or "").strip()
    if not isinstance(extra_attempts, int) or not 1 <= extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise GrantRefused(
            _("Enter a number of extra attempts from 1 to %(max)d.", max=MAX_EXTRA_ATTEMPTS)
        )
    if not reason:
        raise GrantRefused(_("Enter the reason for granting extra attempts."))
    if len(reason) > REASON_MAX_LENGTH:
        raise GrantRefused(
            _("Keep the reason to %(max)d characters or fewer.", max=REASON_MAX_LENGTH)
        )
    employee = db.session.get(Employee, employee_id) if isinstance(employee_id, int) else None
    if employee is None or not employee.active:
        raise GrantRefused(
            _("That employee could not be found. Choose them from the list of locked-out learners.")
        )
    version = current_version(quiz)
    if not is_locked_out(employee.id, version):
        raise GrantRefused(
            _(
                "%(name)s is not locked out of this quiz: they have attempts left or have passed it. Nothing was granted.",
                name=employee.name,
            )
        )
    grant = QuizAttemptGrant(
        employee_id=employee.id,
        quiz_id=quiz.id,
        version_id=version.id,
        extra_attempts=extra_attempts,
        reason=reason,
        granted_by_id=actor_id,
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "quiz.attempts_granted",
        "quiz_attempt_grant",
        grant.id,
        actor_id=actor_id,
        employee=employee.id,
        quiz=quiz.id,
        version=version.number,
        extra_attempts=extra_attempts,
    )
    return grant

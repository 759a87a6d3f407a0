"""Quizzes, their content versions and learners' attempts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content.models import ItemVersion, VersionedItem
from app.core.models import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import Employee


class Quiz(VersionedItem, db.Model):
    """A quiz file (``quizzes/<slug>.yaml``). Its content lives in versions."""

    __tablename__ = "quiz"

    versions: Mapped[list[QuizVersion]] = relationship(
        back_populates="quiz", order_by="QuizVersion.number"
    )


class QuizVersion(ItemVersion, db.Model):
    __tablename__ = "quiz_version"
    __table_args__ = (db.UniqueConstraint("quiz_id", "number", name="uq_quiz_version_number"),)

    quiz_id: Mapped[int] = mapped_column(db.ForeignKey("quiz.id"), index=True)
    pass_percent: Mapped[int]
    max_attempts: Mapped[int]  # 0 = unlimited
    draw: Mapped[int]

    quiz: Mapped[Quiz] = relationship(back_populates="versions")


class QuizAttempt(db.Model):
    """One sitting of a quiz version: the questions drawn, their option order, and the answers."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (db.Index("ix_quiz_attempt_employee_quiz", "employee_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"))
    quiz_id: Mapped[int] = mapped_column(db.ForeignKey("quiz.id"), index=True)
    version_id: Mapped[int] = mapped_column(db.ForeignKey("quiz_version.id"), index=True)
    # [{"id": question id, "options": [option ids in the order shown]}], fixed when the attempt starts
    drawn: Mapped[list] = mapped_column(JSON)
    # {question id: [chosen option ids]}; true/false questions store ["true"] or ["false"]
    answers: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    correct_count: Mapped[int | None]
    question_count: Mapped[int]
    percent: Mapped[int | None]
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()
    version: Mapped[QuizVersion] = relationship()

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class QuizAttemptGrant(db.Model):
    """Extra attempts the training office granted one employee on one version of a quiz.

    A grant is a record of a decision: it is written once and never changed. The audit event
    ``quiz.attempts_granted`` points at it; the reason lives here, not in the audit log.
    """

    __tablename__ = "quiz_attempt_grant"
    __table_args__ = (
        db.Index("ix_quiz_attempt_grant_version_employee", "version_id", "employee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    quiz_id: Mapped[int] = mapped_column(db.ForeignKey("quiz.id"), index=True)
    version_id: Mapped[int] = mapped_column(db.ForeignKey("quiz_version.id"))
    extra_attempts: Mapped[int]
    reason: Mapped[str] = mapped_column(db.Text)
    granted_by_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    granted_by: Mapped[Employee] = relationship(foreign_keys=[granted_by_id])
    quiz: Mapped[Quiz] = relationship()
    version: Mapped[QuizVersion] = relationship()


@event.listens_for(QuizAttemptGrant, "before_update")
def _refuse_update(mapper, connection, target):
    raise RuntimeError("a quiz attempt grant cannot be changed; grant again instead")

"""Reviews that record closure readiness, and the 見守り checks after a case is closed."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db
from app.referrals.crypto import EncryptedText


class Readiness(StrEnum):
    """What a review found: go on supporting, or ready to close (stored as its value)."""

    CONTINUE = "continue"
    READY = "ready"


class ProposalOutcome(StrEnum):
    """What became of a closure proposal (stored as its value)."""

    CLOSED = "closed"  # the meeting closed the case
    CONTINUED = "continued"  # the meeting set another review
    SUPERSEDED = "superseded"  # a later review replaced it


class CaseReview(db.Model):
    """One review of a case: where the support stands and whether the case is ready to close.

    A review that finds the case ready is a closure proposal: it waits for the 支援調整会議,
    whose decision closes the case or sets the next review (``outcome``).
    """

    __tablename__ = "case_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    reviewed_on: Mapped[date]
    reviewed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    summary: Mapped[str | None] = mapped_column(EncryptedText)
    readiness: Mapped[str] = mapped_column(db.String(16))
    # When ready: the office's criterion, one of the closure reasons (choices.CLOSURE_REASONS).
    criterion: Mapped[str | None] = mapped_column(db.String(24), index=True)
    # Attempts to reach the resident on the timeline when the review was recorded.
    attempts: Mapped[int | None]
    closure_summary: Mapped[str | None] = mapped_column(EncryptedText)
    follow_up: Mapped[str | None] = mapped_column(EncryptedText)  # who follows up
    follow_up_on: Mapped[date | None]  # an optional 見守り check after closure
    entry_id: Mapped[int | None] = mapped_column(db.ForeignKey("case_entry.id"))
    # For a proposal, once decided or replaced (ProposalOutcome).
    outcome: Mapped[str | None] = mapped_column(db.String(16))
    decided_at: Mapped[datetime | None]
    meeting_item_id: Mapped[int | None] = mapped_column(db.ForeignKey("meeting_item.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewed_by = relationship("Employee", foreign_keys=[reviewed_by_id])

    @property
    def pending(self) -> bool:
        return self.readiness == Readiness.READY and self.outcome is None


class FollowUpCheck(db.Model):
    """A 見守り check after closure: on ``due_on`` the worker checks how the household is doing."""

    __tablename__ = "follow_up_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"), index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    done_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    note: Mapped[str | None] = mapped_column(EncryptedText)

    case = relationship("SupportCase")

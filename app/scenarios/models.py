"""Scenarios, their content versions, learners' attempts and every choice made."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content.models import ItemVersion, VersionedItem
from app.core.models import utcnow
from app.extensions import db


class AttemptStatus(StrEnum):
    """Where a play-through stands (stored as its value)."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    ABANDONED = "abandoned"  # restarted before reaching an ending


class Scenario(VersionedItem, db.Model):
    """A scenario file (``scenarios/<slug>.yaml``). Its content lives in versions."""

    __tablename__ = "scenario"

    versions: Mapped[list[ScenarioVersion]] = relationship(
        back_populates="scenario", order_by="ScenarioVersion.number"
    )


class ScenarioVersion(ItemVersion, db.Model):
    """The content of a scenario as it was synced; attempts point at the version they used."""

    __tablename__ = "scenario_version"
    __table_args__ = (
        db.UniqueConstraint("scenario_id", "number", name="uq_scenario_version_number"),
    )

    scenario_id: Mapped[int] = mapped_column(db.ForeignKey("scenario.id"), index=True)
    scoring: Mapped[str] = mapped_column(db.String(16))
    pass_score: Mapped[int | None]
    max_score: Mapped[int | None]

    scenario: Mapped[Scenario] = relationship(back_populates="versions")


class ScenarioAttempt(db.Model):
    """One play-through of a scenario version by an employee."""

    __tablename__ = "scenario_attempt"
    __table_args__ = (
        db.Index("ix_scenario_attempt_employee_scenario", "employee_id", "scenario_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"))
    scenario_id: Mapped[int] = mapped_column(db.ForeignKey("scenario.id"), index=True)
    version_id: Mapped[int] = mapped_column(db.ForeignKey("scenario_version.id"), index=True)
    status: Mapped[str] = mapped_column(db.String(16), default=AttemptStatus.IN_PROGRESS)
    current_node: Mapped[str] = mapped_column(db.String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    ending_node: Mapped[str | None] = mapped_column(db.String(100))
    verdict: Mapped[str | None] = mapped_column(db.String(16))
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    scenario: Mapped[Scenario] = relationship()
    version: Mapped[ScenarioVersion] = relationship()
    choices: Mapped[list[ScenarioChoice]] = relationship(
        back_populates="attempt", order_by="ScenarioChoice.id", cascade="all, delete-orphan"
    )

    @property
    def order_seed(self) -> str:
        """What the shown order of choices depends on: one order per attempt."""
        return f"attempt-{self.id}"

    @property
    def active_choices(self) -> list[ScenarioChoice]:
        """The path as it stands: choices not taken back with the back button."""
        return [c for c in self.choices if c.undone_at is None]


class ScenarioChoice(db.Model):
    """A choice a learner made, kept even when taken back, for "where staff go wrong" reports."""

    __tablename__ = "scenario_choice"
    __table_args__ = (db.Index("ix_scenario_choice_version_node", "version_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(db.ForeignKey("scenario_attempt.id"), index=True)
    version_id: Mapped[int] = mapped_column(db.ForeignKey("scenario_version.id"))
    node_id: Mapped[str] = mapped_column(db.String(100))
    choice_index: Mapped[int]
    next_node: Mapped[str] = mapped_column(db.String(100))
    score: Mapped[int] = mapped_column(default=0)
    made_at: Mapped[datetime] = mapped_column(default=utcnow)
    undone_at: Mapped[datetime | None]

    attempt: Mapped[ScenarioAttempt] = relationship(back_populates="choices")

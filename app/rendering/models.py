"""Render jobs: one row per request to render a script, with its progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import utcnow
from app.extensions import db


class RenderStatus(StrEnum):
    """Where a render job stands (stored as its value)."""

    QUEUED = "queued"
    RUNNING = "running"  # a worker is rendering it and reports a heartbeat
    DONE = "done"
    SKIPPED = "skipped"  # the script had not changed since the last render
    FAILED = "failed"

    @classmethod
    def finished(cls) -> tuple[RenderStatus, ...]:
        return (cls.DONE, cls.SKIPPED, cls.FAILED)


class RenderJob(db.Model):
    """A request to render ``videos/<script_id>/script.yaml``; the task reports progress here."""

    __tablename__ = "render_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[str] = mapped_column(db.String(100), index=True)
    status: Mapped[str] = mapped_column(db.String(16), default=RenderStatus.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)  # 0..1
    phase: Mapped[str | None] = mapped_column(db.String(32))
    force: Mapped[bool] = mapped_column(default=False)
    message: Mapped[str | None] = mapped_column(db.Text)  # what went wrong, or where the video went
    script_sha256: Mapped[str | None] = mapped_column(db.String(64))
    duration_seconds: Mapped[float | None] = mapped_column()
    requested_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # Who is rendering it (host:pid:token) and when it last reported: a render whose worker
    # died is marked failed by the next worker, so the page never shows it running forever.
    worker_id: Mapped[str | None] = mapped_column(db.String(120))
    heartbeat_at: Mapped[datetime | None] = mapped_column()

    @property
    def finished(self) -> bool:
        return self.status in RenderStatus.finished()

    @property
    def percent(self) -> int:
        return round(100 * (self.progress or 0))

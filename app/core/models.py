"""Models every area shares: the append-only audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, event
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.extensions import db


def utcnow() -> datetime:
    """Now, as stored: naive UTC (from the portal's one clock)."""
    return clock.utcnow()


class AuditEvent(db.Model):
    """Who did what to which record, and when. Rows are written once and never changed.

    ``detail`` holds identifiers and codes only, never personal data or free text.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"), index=True)
    action: Mapped[str] = mapped_column(db.String(64), index=True)
    object_type: Mapped[str] = mapped_column(db.String(64))
    object_id: Mapped[str | None] = mapped_column(db.String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(db.String(64))

    __table_args__ = (db.Index("ix_audit_event_object", "object_type", "object_id"),)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):  # pragma: no cover - exercised by tests
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditLogIsAppendOnly("audit events cannot be deleted")


class WorkerHeartbeat(db.Model):
    """A running task worker, as last heard of. The health check counts the recent ones."""

    __tablename__ = "worker_heartbeat"

    worker_id: Mapped[str] = mapped_column(db.String(120), primary_key=True)  # host:pid:token
    host: Mapped[str] = mapped_column(db.String(100))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

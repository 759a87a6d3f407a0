"""SCORM 1.2 packages, their versions (one unpacked zip each) and each learner's run-time data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.content.models import ItemVersion, VersionedItem
from app.core.models import utcnow
from app.extensions import db

# Where a package came from: a content sync retires only the packages it loaded itself.
SOURCE_CONTENT = "content"
SOURCE_UPLOAD = "upload"


class LessonStatus(StrEnum):
    """``cmi.core.lesson_status`` of SCORM 1.2 (stored as its value)."""

    NOT_ATTEMPTED = "not attempted"  # the LMS's alone: a SCO never sets it
    BROWSED = "browsed"
    INCOMPLETE = "incomplete"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"

    @classmethod
    def done(cls) -> tuple[LessonStatus, ...]:
        """The statuses that complete a SCO."""
        return (cls.COMPLETED, cls.PASSED)

    @classmethod
    def set_by_sco(cls) -> tuple[LessonStatus, ...]:
        return tuple(status for status in cls if status != cls.NOT_ATTEMPTED)


class ScormPackage(VersionedItem, db.Model):
    """A package (``scorm/<slug>.zip`` or an upload). Its files and SCOs live in versions."""

    __tablename__ = "scorm_package"

    source: Mapped[str] = mapped_column(db.String(16), default=SOURCE_CONTENT)

    versions: Mapped[list[ScormVersion]] = relationship(
        back_populates="package", order_by="ScormVersion.number"
    )


class ScormVersion(ItemVersion, db.Model):
    """One zip as loaded: ``checksum`` (SHA-256 of the zip) names its unpacked folder;
    ``definition`` holds the manifest's title and SCOs."""

    __tablename__ = "scorm_version"
    __table_args__ = (db.UniqueConstraint("package_id", "number", name="uq_scorm_version_number"),)

    package_id: Mapped[int] = mapped_column(db.ForeignKey("scorm_package.id"), index=True)

    package: Mapped[ScormPackage] = relationship(back_populates="versions")

    @property
    def scos(self) -> list[dict]:
        return self.definition.get("scos") or []

    def sco(self, identifier: str) -> dict | None:
        return next((s for s in self.scos if s["identifier"] == identifier), None)


class ScormRuntime(db.Model):
    """What one SCO of one version has stored for one employee (the SCORM ``cmi`` data)."""

    __tablename__ = "scorm_runtime"
    __table_args__ = (
        db.UniqueConstraint(
            "employee_id", "version_id", "sco", name="uq_scorm_runtime_employee_version_sco"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    package_id: Mapped[int] = mapped_column(db.ForeignKey("scorm_package.id"), index=True)
    version_id: Mapped[int] = mapped_column(db.ForeignKey("scorm_version.id"))
    sco: Mapped[str] = mapped_column(db.String(200))
    lesson_status: Mapped[str] = mapped_column(db.String(16), default=LessonStatus.NOT_ATTEMPTED)
    lesson_location: Mapped[str] = mapped_column(db.String(255), default="")
    score_raw: Mapped[float | None]
    score_min: Mapped[float | None]
    score_max: Mapped[float | None]
    suspend_data: Mapped[str] = mapped_column(db.Text, default="")
    #: how the last session ended ("suspend" means the learner resumes next time)
    exit: Mapped[str] = mapped_column(db.String(16), default="")
    total_seconds: Mapped[float] = mapped_column(default=0.0)
    sessions: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None]

    version: Mapped[ScormVersion] = relationship()

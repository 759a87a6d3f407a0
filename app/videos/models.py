"""Video lessons: the published video, its ingest jobs, and each employee's watched progress."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db


class JobState(StrEnum):
    """Where an ingest job stands (stored as its value)."""

    QUEUED = "queued"
    RUNNING = "running"  # a worker holds its lease
    DONE = "done"
    FAILED = "failed"


class Video(db.Model):
    """A video lesson. Its media is published once a transcode succeeded (``version`` ≥ 1).

    ``slug`` is the content id (the folder name under ``videos/``). A new source for the same
    slug is transcoded beside the published one and replaces it only when complete.
    """

    __tablename__ = "video"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(db.String(100), unique=True)
    title_ja: Mapped[str] = mapped_column(db.String(200))
    title_en: Mapped[str | None] = mapped_column(db.String(200))
    description_ja: Mapped[str | None] = mapped_column(db.Text)
    description_en: Mapped[str | None] = mapped_column(db.Text)
    chapters: Mapped[list | None] = mapped_column(JSON)  # [{"at": seconds, "ja": …, "en": …}]
    caption_languages: Mapped[list | None] = mapped_column(JSON)  # ["ja", "en"]
    completion_threshold: Mapped[float | None]  # None: the portal's default
    # The published media: MEDIA_ROOT/videos/<slug>/v<version>/
    version: Mapped[int] = mapped_column(default=0)
    duration: Mapped[float | None]  # seconds, measured by ffprobe
    width: Mapped[int | None]
    height: Mapped[int | None]
    source_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    source_path: Mapped[str | None] = mapped_column(db.String(300))  # relative to MEDIA_ROOT
    content_path: Mapped[str | None] = mapped_column(
        db.String(300)
    )  # videos/<slug> when from files
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    jobs: Mapped[list[IngestJob]] = relationship(
        back_populates="video", order_by="IngestJob.id", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.version > 0 and self.published_at is not None

    def title(self, locale: str = "ja") -> str:
        return self.title_en if locale == "en" and self.title_en else self.title_ja

    def description(self, locale: str = "ja") -> str | None:
        return (
            self.description_en if locale == "en" and self.description_en else self.description_ja
        )

    def __repr__(self) -> str:
        return f"<Video {self.slug} v{self.version}>"


class IngestJob(db.Model):
    """One transcode of one source: queued → running → done | failed. Failures can be retried.

    A source that already fits the top rendition is published at ingest by stream copy
    (``stream_copied``, ``published_version``); its job then only makes the smaller renditions
    and adds them to that version.
    """

    __tablename__ = "video_ingest_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(db.ForeignKey("video.id"), index=True)
    source_hash: Mapped[str] = mapped_column(db.String(64), index=True)
    source_path: Mapped[str] = mapped_column(db.String(300))  # relative to MEDIA_ROOT
    source_name: Mapped[str | None] = mapped_column(db.String(200))
    state: Mapped[str] = mapped_column(db.String(16), default=JobState.QUEUED)
    progress: Mapped[float] = mapped_column(default=0.0)  # 0..100
    duration: Mapped[float | None]
    has_audio: Mapped[bool] = mapped_column(default=True)
    width: Mapped[int | None]
    height: Mapped[int | None]
    attempts: Mapped[int] = mapped_column(default=0)
    # Set when the top rendition went live before this job's remaining renditions were made.
    published_version: Mapped[int | None]
    stream_copied: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    error_code: Mapped[str | None] = mapped_column(db.String(32))
    error_tail: Mapped[str | None] = mapped_column(db.Text)  # the end of ffmpeg's stderr
    actor_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The lease of a running job: who holds it (host:pid:token), the token every write of the
    # holder must match, and when it was last renewed. A job whose holder died is taken over.
    queued_at: Mapped[datetime | None]
    worker_id: Mapped[str | None] = mapped_column(db.String(120))
    lease_token: Mapped[str | None] = mapped_column(db.String(32))
    heartbeat_at: Mapped[datetime | None]
    # What to clean up after a dead holder: its ffmpeg process and temporary folder.
    ffmpeg_pid: Mapped[int | None]
    work_dir: Mapped[str | None] = mapped_column(db.String(300))  # relative to MEDIA_ROOT

    video: Mapped[Video] = relationship(back_populates="jobs")


class VideoProgress(db.Model):
    """What one employee has watched of one video: the union of played intervals.

    ``completed_at`` only ever goes from empty to set; a later version of the video starts a
    fresh union (``version``) but the earlier completion stays recorded.
    """

    __tablename__ = "video_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    video_id: Mapped[int] = mapped_column(db.ForeignKey("video.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    intervals: Mapped[list] = mapped_column(JSON, default=list)
    watched_seconds: Mapped[float] = mapped_column(default=0.0)
    position: Mapped[float] = mapped_column(default=0.0)  # where to resume
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_version: Mapped[int | None]
    # The wall-clock budget of the learner's reports: everything credited so far could have
    # been watched by this moment at the fastest accepted speed (see service._credit).
    credited_until: Mapped[datetime | None]
    # Accepted reports; a report is written only if this is still what it read.
    reports: Mapped[int] = mapped_column(default=0, server_default="0")

    __table_args__ = (db.UniqueConstraint("employee_id", "video_id"),)


class ViewingSession(db.Model):
    """One opening of the player page, with server-side timestamps.

    Reports name their page's session; newly watched time is credited at most at the fastest
    accepted speed, counted from ``started_at`` (see ``VideoProgress.credited_until``), so a
    client cannot claim to have watched faster than that.
    """

    __tablename__ = "video_viewing_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(db.String(64), unique=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    video_id: Mapped[int] = mapped_column(db.ForeignKey("video.id"), index=True)
    version: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


class VideoPreference(db.Model):
    """Per-employee player settings: the chosen quality (「標準」720p or 「軽量」360p)."""

    __tablename__ = "video_preference"

    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), primary_key=True)
    quality: Mapped[str] = mapped_column(db.String(16), default="720")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

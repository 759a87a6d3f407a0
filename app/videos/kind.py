"""The video lesson as a learning item of a course."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext


def files(root: Path, slug: str) -> list[Path]:
    return [root / "videos" / slug / "video.yaml", root / "videos" / slug / "script.yaml"]


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    """The ingested lesson's measured duration, else ffprobe of the source, else its captions."""
    from app.courses import timing

    if context.measured and context.measured.get(slug):
        return float(context.measured[slug]), timing.BASIS_MEASURED
    return timing.video_seconds_from_files(root / "videos" / slug)


def measured(slugs: set[str]) -> dict[str, float]:
    """The published lessons' durations as ffprobe measured them at ingest."""
    from app.videos import service

    found = {}
    for slug in sorted(slugs):
        video = service.get_published(slug)
        if video is not None and video.duration:
            found[slug] = video.duration
    return found


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.videos import service

    return service.progress_for(employee_id, slugs)


def completions():
    """(employee_id, slug, version) of every watched-to-the-end lesson."""
    from sqlalchemy import select

    from app.extensions import db
    from app.videos.models import Video, VideoProgress

    return db.session.execute(
        select(VideoProgress.employee_id, Video.slug, VideoProgress.completed_version)
        .join(Video, Video.id == VideoProgress.video_id)
        .where(VideoProgress.completed_version.is_not(None))
    ).all()


KIND = LearningItemKind(
    name="video",
    label=_l("Video"),
    file_format="videos/<id>/video.yaml",
    player_endpoint="videos.watch",
    completion=_l("watched to the end"),
    files=files,
    seconds=seconds,
    progress=progress,
    measured=measured,
    completions=completions,
    order=10,
)

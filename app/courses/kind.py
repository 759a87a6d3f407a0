"""The reading: a section of a course file, read on the course's own reading page."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    from app.courses import timing

    if context.html is None:
        return None, timing.BASIS_UNKNOWN
    return timing.reading_seconds(context.html), timing.BASIS_COMPUTED


KIND = LearningItemKind(
    name="reading",
    label=_l("Reading"),
    file_format="courses/<course>.md (<!-- reading: <id> -->)",
    player_endpoint="courses.reading",
    completion=_l("read to the end and marked as read"),
    seconds=seconds,
    url_args=lambda course_slug, slug: {"slug": course_slug, "reading": slug},
    in_course=True,
    order=40,
)

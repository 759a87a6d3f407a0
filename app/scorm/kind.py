"""The SCORM 1.2 package as a learning item of a course: ``- scorm: <id>``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext
from app.scorm.models import SOURCE_UPLOAD


def files(root: Path, slug: str) -> list[Path]:
    return [root / "scorm" / f"{slug}.zip"]


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    """A vendor's package does not say how long it takes: the course shows it as unknown."""
    return None, "unknown"


def completions():
    from app.scorm import service

    return service.completions()


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.scorm import service

    return service.progress_for(employee_id, slugs)


def uploaded(slug: str):
    """A package loaded on the admin page (not kept in the content folder), when a database is at hand."""
    from flask import has_app_context

    if not has_app_context():
        return None
    from app.scorm import service

    package = service.get_active(slug)
    return package if package is not None and package.source == SOURCE_UPLOAD else None


@dataclass(frozen=True)
class ScormKind(LearningItemKind):
    """A package is either ``scorm/<id>.zip`` in the content folder or one loaded on the admin page."""

    def validate(self, root: Path, slug: str) -> tuple[str, str] | None:
        problem = super().validate(root, slug)
        return None if problem is not None and uploaded(slug) is not None else problem

    def title(self, root: Path, slug: str) -> tuple[str | None, str | None]:
        """The title of the manifest's organization (packages have no English title of their own)."""
        from app.scorm.package import manifest_title

        path = files(root, slug)[0]
        if path.exists():
            return manifest_title(path), None
        package = uploaded(slug)
        return (package.title_ja, package.title_en) if package is not None else (None, None)


KIND = ScormKind(
    name="scorm",
    label=_l("e-Learning (SCORM)"),
    file_format="scorm/<id>.zip",
    player_endpoint="scorm.play",
    completion=_l("the package reports it completed or passed"),
    files=files,
    seconds=seconds,
    progress=progress,
    completions=completions,
    order=50,
)

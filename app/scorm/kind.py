"""The SCORM 1.2 package as a learning item of a course: ``- scorm: <id>``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext


def files(root: Path, slug: str) -> list[Path]:
    return [root / "scorm" / f"{slug}.zip"]


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    """A vendor's package does not say how long it takes: the course shows it as unknown."""
    return None, "unknown"


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.scorm import service

    return service.progress_for(employee_id, slugs)


@dataclass(frozen=True)
class ScormKind(LearningItemKind):
    def title(self, root: Path, slug: str) -> tuple[str | None, str | None]:
        """The title of the manifest's organization (packages have no English title of their own)."""
        from app.scorm.package import manifest_title

        return manifest_title(files(root, slug)[0]), None


KIND = ScormKind(
    name="scorm", label=_l("e-Learning (SCORM)"), file_format="scorm/<id>.zip", player_endpoint="scorm.play",
    completion=_l("the package reports it completed or passed"), files=files, seconds=seconds, progress=progress,
    order=50,
)

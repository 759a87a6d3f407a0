"""Content kinds and the problems their validators report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core import registries


@dataclass(frozen=True)
class Problem:
    """One defect in a content file: where it is, what is wrong, and how to fix it."""

    path: Path
    line: int | None
    message: str
    hint: str = ""
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass
class SyncResult:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)


@dataclass
class ContentKind:
    """A kind of content file.

    ``find(root)`` lists the files of this kind under the content root; ``check(paths, root)``
    returns problems (it may cross-check between files, so it receives them all);
    ``sync(paths, root)`` loads validated files into the database idempotently and records a
    content version when a file changed.
    """

    name: str
    find: Callable[[Path], list[Path]]
    check: Callable[[list[Path], Path], list[Problem]]
    sync: Callable[[list[Path], Path], SyncResult] | None = None
    order: int = (
        100  # sync order: things referred to first (videos, scenarios, quizzes) then courses
    )
    prose: bool = (
        True  # words staff read (checked for legal markers and the forms' words); False for data
    )
    #: optional: lines ``content check`` prints about the checked files (e.g. a course's expected time)
    summarize: Callable[[list[Path], Path], list[str]] | None = None


def register(app, kind: ContentKind) -> ContentKind:
    """Add a content kind to ``app`` (from the area's ``init_app``)."""
    return registries.add(app, registries.CONTENT_KINDS, kind.name, kind)


def register_cross_check(
    app, name: str, check: Callable[[Path, Path | None], list[Problem]]
) -> None:
    """Add a check that reads across every kind's files (legal markers, the form's words)."""
    registries.add(app, registries.CONTENT_CROSS_CHECKS, name, check)


def kind(name: str) -> ContentKind:
    """The current app's content kind ``name`` (KeyError if no area registered it)."""
    return registries.registry(registries.CONTENT_KINDS)[name]


def kinds() -> list[ContentKind]:
    return sorted(registries.entries(registries.CONTENT_KINDS), key=lambda k: (k.order, k.name))


def prose_kinds() -> set[str]:
    return {kind.name for kind in kinds() if kind.prose}


def files_by_kind(root: Path, only: Path | None = None) -> dict[str, list[Path]]:
    """Every kind's files under ``root``, limited to ``only`` (a file or folder) when given."""
    result = {}
    only = only.resolve() if only else None
    for kind in kinds():
        paths = kind.find(root)
        if only is not None:
            paths = [p for p in paths if p.resolve() == only or only in p.resolve().parents]
        result[kind.name] = paths
    return result


def check_all(root: Path, only: Path | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for kind in kinds():
        paths = files_by_kind(root, only)[kind.name]
        if paths:
            problems += kind.check(paths, root)
    for cross_check in registries.entries(registries.CONTENT_CROSS_CHECKS):
        problems += cross_check(root, only)
    return problems


def summaries(root: Path, only: Path | None = None) -> list[str]:
    lines: list[str] = []
    for kind in kinds():
        paths = files_by_kind(root, only)[kind.name]
        if paths and kind.summarize is not None:
            lines += kind.summarize(paths, root)
    return lines


def sync_all(root: Path) -> tuple[list[Problem], list[SyncResult]]:
    """Validate everything first; sync only when nothing is in error (nothing half-loaded)."""
    problems = check_all(root)
    if any(p.severity == "error" for p in problems):
        return problems, []
    results = []
    for kind in kinds():
        if kind.sync is not None:
            results.append(kind.sync(kind.find(root), root))
    from flask import current_app

    from app.core.signals import content_synced

    content_synced.send(current_app._get_current_object())
    return problems, results

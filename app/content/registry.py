"""Content kinds and the problems their validators report."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
    #: optional: whether a file outside a content tree is of this kind, by its name or content
    recognise: Callable[[Path], bool] | None = None


@dataclass
class Selection:
    """Content files checked together: the root of their content tree and each kind's files.

    ``whole_tree``: every file of the tree, so the checks across files also read the files the
    app registered beside the content (e.g. the legal wording of settings' defaults).
    """

    root: Path
    files: dict[str, list[Path]]
    whole_tree: bool = False

    def count(self) -> int:
        return sum(len(paths) for paths in self.files.values())


def register(
    app, kind: ContentKind, recognise: Callable[[Path], bool] | None = None
) -> ContentKind:
    """Add a content kind to ``app`` (from the area's ``init_app``), with how to recognise a
    file of it found outside a content tree when the kind does not say so itself."""
    if recognise is not None:
        kind = replace(kind, recognise=recognise)
    return registries.add(app, registries.CONTENT_KINDS, kind.name, kind)


def register_cross_check(app, name: str, check: Callable[[Selection], list[Problem]]) -> None:
    """Add a check that reads across every kind's files (legal markers, the form's words)."""
    registries.add(app, registries.CONTENT_CROSS_CHECKS, name, check)


# --- recognising a content file by its name or content -----------------------------------------


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _has_top_keys(text: str, keys: tuple[str, ...]) -> bool:
    return all(re.search(rf"^{re.escape(key)}\s*:", text, re.M) for key in keys)


def yaml_with_keys(*keys: str) -> Callable[[Path], bool]:
    """A YAML file with every one of ``keys`` at its top level (read as text, so a file with a
    syntax error is still recognised and its error reported)."""

    def recognise(path: Path) -> bool:
        return path.suffix in {".yaml", ".yml"} and _has_top_keys(_text(path), keys)

    return recognise


def front_matter_with_keys(*keys: str) -> Callable[[Path], bool]:
    """A Markdown file whose front matter (between ``---`` lines) has every one of ``keys``."""

    def recognise(path: Path) -> bool:
        if path.suffix != ".md":
            return False
        text = _text(path).lstrip("\ufeff")
        if not text.startswith("---"):
            return False
        front, _sep, _body = text[3:].partition("\n---")
        return _has_top_keys(front, keys)

    return recognise


def named(name: str) -> Callable[[Path], bool]:
    """A file called ``name`` (e.g. a video folder's ``video.yaml``)."""
    return lambda path: path.name == name


def zip_holding(member: str) -> Callable[[Path], bool]:
    """A zip archive holding a file called ``member`` (at any depth)."""

    def recognise(path: Path) -> bool:
        if path.suffix.lower() != ".zip" or not zipfile.is_zipfile(path):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return any(n.rsplit("/", 1)[-1] == member for n in archive.namelist())
        except (OSError, zipfile.BadZipFile):
            return False

    return recognise


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


def whole_tree(root: Path) -> Selection:
    return Selection(root, files_by_kind(root), whole_tree=True)


# Folders never searched for content: the tools' and version control's own.
SKIPPED_FOLDERS = {"node_modules", "__pycache__", "site-packages"}


def _tree_files(root: Path, inside: Path) -> dict[str, list[Path]]:
    """The files of the content tree at ``root`` that are ``inside`` (or are) a path."""
    return {name: paths for name, paths in files_by_kind(root, inside).items() if paths}


def _enclosing_tree(path: Path) -> Selection | None:
    """The nearest content tree around ``path`` that holds it (or, a folder, files inside it)."""
    for root in path.parents:
        files = _tree_files(root, path)
        if files:
            return Selection(root, files)
    return None


def _recognised_kind(path: Path) -> str | None:
    try:
        if not path.is_file():  # a pipe or device is never read
            return None
    except OSError:
        return None
    for kind in kinds():
        if kind.recognise is not None and kind.recognise(path):
            return kind.name
    return None


def _walk(folder: Path, claimed: set[Path]) -> tuple[list[Selection], list[Path]]:
    """Content trees below ``folder`` (each checked as a tree) and the other files in it."""
    trees, loose = [], []
    for current, subfolders, names in os.walk(folder):
        here = Path(current)
        files = _tree_files(here, here)
        if files:
            trees.append(Selection(here, files))
            subfolders[:] = []
            continue
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS
        )
        loose += [here / name for name in sorted(names) if here / name not in claimed]
    return trees, loose


def select(path: Path, default_root: Path) -> list[Selection]:
    """What ``content check PATH`` checks: the content files at or below ``path``, wherever it is.

    A file (or folder) inside a content tree — a folder holding ``scenarios/``, ``quizzes/``,
    ``courses/``, ``videos/``, ``scorm/`` … — belongs to that tree and is checked against it.
    A folder that is itself such a tree is checked as that tree. Any other folder is searched
    recursively: the trees found in it are checked as trees, and every other file a kind
    recognises by its name or content (``ContentKind.recognise``) is checked on its own, its
    references looked up in ``default_root``.
    """
    path = path.resolve()
    if path.is_dir() and (files := _tree_files(path, path)):
        return [Selection(path, files, whole_tree=path == default_root.resolve())]
    selections = []
    enclosing = _enclosing_tree(path)
    if enclosing is not None:
        selections.append(enclosing)
    claimed = (
        {file.resolve() for paths in enclosing.files.values() for file in paths}
        if enclosing
        else set()
    )
    if path.is_dir():
        trees, candidates = _walk(path, claimed)
        selections += trees
    else:
        candidates = [] if path in claimed else [path]
    loose: dict[str, list[Path]] = {}
    for candidate in candidates:
        if (name := _recognised_kind(candidate)) is not None:
            loose.setdefault(name, []).append(candidate)
    if loose:
        selections.append(Selection(default_root, loose))
    return selections


def check(selection: Selection) -> list[Problem]:
    """Every problem of the selected files, and of the checks across them."""
    problems: list[Problem] = []
    for kind in kinds():
        paths = selection.files.get(kind.name)
        if paths:
            problems += kind.check(paths, selection.root)
    for cross_check in registries.entries(registries.CONTENT_CROSS_CHECKS):
        problems += cross_check(selection)
    return problems


def check_all(root: Path, only: Path | None = None) -> list[Problem]:
    """Every problem under ``root`` (limited to the file or folder ``only`` when given)."""
    if only is None:
        return check(whole_tree(root))
    return check(Selection(root, files_by_kind(root, only)))


def summaries(selection: Selection) -> list[str]:
    lines: list[str] = []
    for kind in kinds():
        paths = selection.files.get(kind.name)
        if paths and kind.summarize is not None:
            lines += kind.summarize(paths, selection.root)
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

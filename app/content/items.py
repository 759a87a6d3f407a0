"""Learning-item kinds: what a course may list, and everything the portal needs to know about each.

A kind is declared once, by the area that plays it, in ``app/<area>/kind.py`` as ``KIND``. The
app collects them into its ``learning_item_kinds`` registry (``app/core/registries.py``) when it
is created; courses, the
learner's home, the HR dashboard and ``content check``/``sync`` ask this registry and never
name a kind themselves. A new kind of learning item is therefore a new area with a ``kind.py``
(and its place in the app's list of areas), nothing more.

What a kind declares:

- ``name``: the key in a course file (``- video: <id>``) and in the progress rows;
- ``label``: the translated word shown beside the item (「動画」「ロールプレイ」 …);
- ``file_format``: where an item's file lives, as authors read it in messages;
- ``files(root, slug)`` / ``validate(root, slug)``: the convention a course's reference is
  checked against, so a course can be validated before the items are loaded;
- ``player_endpoint`` and ``url_args``: the page that plays an item;
- ``progress(employee_id, slugs)``: how far an employee is in each item (0..1);
- ``completion``: what completes an item, in the learner's words; the area reports it through
  the ``learning_item_completed`` signal, sent inside its transaction (``send_progress``);
- ``completions()``: every completion the area holds, for ``flask courses reconcile``;
- ``seconds``: the expected time of an item (see ``app/courses/timing.py``), and
  ``measured(slugs)``: figures the portal measured after loading (e.g. a video's duration);
- ``assessment``: whether the item counts under a course's ``completion: quizzes``;
- ``in_course``: the item lives inside the course file (readings), not in a folder of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask import current_app, has_app_context
from flask_babel import gettext as _

from app.core import registries

#: How an item's expected time is worked out: (root, slug, context) → (seconds, basis).
Seconds = Callable[[Path, str, "TimingContext"], tuple[float | None, str]]


@dataclass(frozen=True)
class TimingContext:
    """What a kind may use to time one item of a course."""

    #: the rendered text of an item that lives in the course file (a reading)
    html: str | None = None
    #: figures measured by the portal, by slug (only when synced)
    measured: dict[str, float] | None = None


def yaml_title(paths: list[Path]) -> tuple[str | None, str | None]:
    """The ``title: {ja, en}`` written in the first existing file of ``paths``."""
    for path in paths:
        if path.exists():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError, OSError):
                return None, None
            if not isinstance(data, dict):
                return None, None
            title = data.get("title")
            if isinstance(title, str):
                return title, None
            if isinstance(title, dict):
                ja, en = title.get("ja"), title.get("en")
                return (str(ja) if ja is not None else None), (str(en) if en is not None else None)
            return None, None
    return None, None


def yaml_files(folder: str) -> Callable[[Path, str], list[Path]]:
    """``files`` of a kind whose items are ``<folder>/<slug>.yaml`` files of the content root."""

    def files(root: Path, slug: str) -> list[Path]:
        return [root / folder / f"{slug}.yaml"]

    return files


def yaml_seconds(
    files: Callable[[Path, str], list[Path]],
    rule: Callable[[dict], float],
    usable: Callable[[dict], bool] = lambda data: True,
) -> Seconds:
    """``seconds`` of a kind timed by ``rule`` over its item's YAML data; a file that cannot be
    read, or that ``usable`` refuses, is timed as unknown (its validator reports why)."""

    def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
        from app.courses import timing

        data = timing.load_yaml(files(root, slug)[0])
        if data is None or not usable(data):
            return None, timing.BASIS_UNKNOWN
        return timing.guarded(rule, data)

    return seconds


def passed_versions(item, version, attempt, attempt_item) -> list[tuple[int, str, int]]:
    """(employee_id, slug, latest version passed) of every item an employee passed.

    For kinds whose attempts are passed or not: ``item`` and ``version`` are the area's
    :class:`~app.content.models.VersionedItem` and :class:`~app.content.models.ItemVersion`
    models, ``attempt`` its attempt model (``employee_id``, ``version_id``, ``passed``) and
    ``attempt_item`` the attempt's column naming the item (e.g. ``QuizAttempt.quiz_id``).
    """
    from sqlalchemy import func, select

    from app.extensions import db

    return db.session.execute(
        select(attempt.employee_id, item.slug, func.max(version.number))
        .join(item, item.id == attempt_item)
        .join(version, version.id == attempt.version_id)
        .where(attempt.passed.is_(True))
        .group_by(attempt.employee_id, item.slug)
    ).all()


@dataclass(frozen=True)
class LearningItemKind:
    name: str
    label: Any  # a lazy translated string
    file_format: str
    player_endpoint: str | None
    completion: Any  # a lazy translated string: what completes the item
    files: Callable[[Path, str], list[Path]] = lambda root, slug: []
    seconds: Seconds | None = None
    progress: Callable[[int, list[str]], dict[str, float]] | None = None
    #: every completion the area itself holds, as (employee_id, slug, version): what
    #: ``flask courses reconcile`` compares with the courses' records
    completions: Callable[[], Iterable[tuple[int, str, int | None]]] | None = None
    measured: Callable[[set[str]], dict[str, float]] | None = None
    url_args: Callable[[str, str], dict] = lambda course_slug, slug: {"slug": slug}
    assessment: bool = False
    in_course: bool = False
    order: int = 100

    def validate(self, root: Path, slug: str) -> tuple[str, str] | None:
        """A problem (message, hint) with a course's reference to ``slug``, or None."""
        if self.in_course:
            return None  # the course's own validator checks what lives in its file
        paths = self.files(root, slug)
        if any(p.exists() for p in paths):
            return None
        expected = self.expected_file(slug)
        return (
            _(
                "%(kind)s `%(id)s` does not exist (no %(file)s)",
                kind=self.name,
                id=slug,
                file=expected,
            ),
            _("Add %(file)s or fix the id.", file=expected),
        )

    def expected_file(self, slug: str) -> str:
        """Where the file of ``slug`` is expected, as authors read it."""
        return self.file_format.replace("<id>", slug)

    def slugs(self, root: Path) -> list[str]:
        """The ids found in the content folder by this kind's file convention (for hints)."""
        pattern = self.file_format.split(" ")[0]
        if self.in_course or pattern.count("<id>") != 1:
            return []
        head, tail = pattern.split("<id>")
        found = []
        for path in root.glob(pattern.replace("<id>", "*")):
            relative = path.relative_to(root).as_posix()
            if relative.startswith(head) and relative.endswith(tail):
                found.append(relative[len(head) : len(relative) - len(tail)])
        return sorted(found)

    def title(self, root: Path, slug: str) -> tuple[str | None, str | None]:
        return yaml_title(self.files(root, slug))


def discover() -> list[LearningItemKind]:
    """The kinds the installed areas declare (``app/<area>/kind.py``), in the app's area order."""
    from app import BLUEPRINTS

    found = []
    for module_path, _prefix in BLUEPRINTS:
        try:
            module = importlib.import_module(module_path + ".kind")
        except ModuleNotFoundError as exc:
            if exc.name != module_path + ".kind":
                raise
            continue
        found.append(module.KIND)
    return found


def init_app(app) -> None:
    for kind in discover():
        register(app, kind)


def register(app, kind: LearningItemKind) -> LearningItemKind:
    """Add a kind to an app (areas do it through ``kind.py``; tests may add their own)."""
    return registries.add(app, registries.LEARNING_ITEM_KINDS, kind.name, kind)


def kinds() -> dict[str, LearningItemKind]:
    """The app's kinds by name; outside an app (checking files) the installed areas' kinds."""
    held = current_app.extensions.get(registries.EXTENSION_KEY, {}) if has_app_context() else {}
    if registries.LEARNING_ITEM_KINDS in held:
        registered = dict(held[registries.LEARNING_ITEM_KINDS].items())
    else:
        registered = {kind.name: kind for kind in discover()}
    return dict(sorted(registered.items(), key=lambda pair: (pair[1].order, pair[0])))


def get(name: str) -> LearningItemKind | None:
    return kinds().get(name)

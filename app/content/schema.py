"""What every content validator shares: the problems of one file (:class:`Checker`), ids
across files, and the stored form of a file (plain data, its fingerprint).

The formats themselves are described in :mod:`app.content.spec` and checked by its engine.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import Problem
from app.content.yamlfile import LineDict, YamlError, load_file


class Checker:
    """The problems found in one content file."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, hint))

    def warning(self, line: int | None, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, line, message, hint, severity="warning"))

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # --- loading ----------------------------------------------------------------------------
    def load(self, start: str | None = None) -> LineDict | None:
        """The file's YAML mapping, or None (reported) when it is not one. ``start`` tells
        how such a file begins, for the hint."""
        try:
            data = load_file(self.path)
        except YamlError as exc:
            if "duplicate key" in str(exc):
                hint = _(
                    "Each key may appear only once in a mapping: ids (node, question, option) must be unique."
                )
            else:
                hint = _("Fix the YAML syntax (indentation, quotes, colons).")
            self.error(exc.line, _("YAML: %(problem)s", problem=exc), hint)
            return None
        if not isinstance(data, LineDict):
            self.error(
                1,
                _("the file must be a YAML mapping (key: value lines)"),
                start or _("Start the file with `id: <file name without .yaml>`."),
            )
            return None
        return data


def duplicate_file_ids(checks: list[tuple[Path, LineDict | None]], kind: str) -> list[Problem]:
    """Two files may not declare the same ``id``."""
    seen: dict[str, Path] = {}
    problems = []
    for path, data in checks:
        if data is None or not isinstance(data.get("id"), str):
            continue
        file_id = data["id"]
        if file_id in seen:
            problems.append(
                Problem(
                    path,
                    data.line_of("id"),
                    _("id `%(id)s` is already used by %(other)s", id=file_id, other=seen[file_id]),
                    _("Give each file its own id (the file name without .yaml)."),
                )
            )
        else:
            seen[file_id] = path
    return problems


def plain(data):
    """The loaded YAML as plain dicts and lists (for JSON storage)."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def fingerprint(data) -> str:
    """A checksum of the content itself: reformatting or editing comments is not a new version."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def localized(value, locale: str = "ja") -> str:
    """The text of ``{ja: …, en: …}`` in ``locale``, falling back to Japanese."""
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return value.get(locale) or value.get("ja") or ""


def check_each(paths, root, check_file, label: str) -> list:
    """Check every file of one kind, then the ids across files (one id per file)."""
    problems: list = []
    loaded = []
    for path in paths:
        found, data = check_file(path, root)
        problems += found
        loaded.append((path, data))
    return problems + duplicate_file_ids(loaded, label)

"""Small building blocks for validating content files with ``file:line`` messages.

Used by the content validators (scenarios, quizzes and any YAML kind). A :class:`Checker` collects
:class:`~app.content.registry.Problem` objects for one file; the ``need_*`` helpers check one
value, report what is wrong with its line and a hint on how to fix it, and return the value
(or ``None`` when it is unusable) so that the caller can go on checking the rest of the file.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import Problem
from app.content.yamlfile import LineDict, LineList, YamlError, load_file

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LOCALES = ("ja", "en")


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
    def load(self) -> LineDict | None:
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
                _("Start the file with `id: <file name without .yaml>`."),
            )
            return None
        return data

    # --- generic checks -----------------------------------------------------------------------
    def keys(self, mapping: LineDict, allowed: set[str], where: str) -> None:
        """Report keys that are not part of the format (typos, mostly)."""
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), sorted(allowed), n=1)
                hint = (
                    _("Did you mean `%(name)s`?", name=close[0])
                    if close
                    else _("Allowed keys: %(keys)s.", keys=", ".join(sorted(allowed)))
                )
                self.error(
                    mapping.line_of(key),
                    _("%(where)s: unknown key `%(key)s`", where=where, key=key),
                    hint,
                )

    def mapping(self, parent, key, where: str, required: bool = True) -> LineDict | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(
                    parent.line,
                    _("%(where)s: `%(key)s` is missing", where=where, key=key),
                    _("Add `%(key)s:` with its entries.", key=key),
                )
            return None
        if not isinstance(value, LineDict):
            self.error(
                parent.line_of(key),
                _("%(where)s: `%(key)s` must be a mapping", where=where, key=key),
                _("Indent the entries of `%(key)s` under it as `name: value` lines.", key=key),
            )
            return None
        return value

    def sequence(
        self, parent, key, where: str, required: bool = True, min_items: int = 1
    ) -> LineList | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.error(
                    parent.line,
                    _("%(where)s: `%(key)s` is missing", where=where, key=key),
                    _(
                        "Add `%(key)s:` with at least %(n)d item(s), each starting with `- `.",
                        key=key,
                        n=min_items,
                    ),
                )
            return None
        if not isinstance(value, LineList):
            self.error(
                parent.line_of(key),
                _("%(where)s: `%(key)s` must be a list", where=where, key=key),
                _("Write each item on its own line starting with `- `."),
            )
            return None
        if len(value) < min_items:
            self.error(
                parent.line_of(key),
                _(
                    "%(where)s: `%(key)s` needs at least %(n)d item(s)",
                    where=where,
                    key=key,
                    n=min_items,
                ),
                _("Add the missing items."),
            )
        return value

    def integer(
        self,
        parent,
        key,
        where: str,
        required: bool = True,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        if key not in parent:
            if required:
                self.error(
                    parent.line,
                    _("%(where)s: `%(key)s` is missing", where=where, key=key),
                    _("Add `%(key)s: <whole number>`.", key=key),
                )
            return None
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                parent.line_of(key),
                _(
                    "%(where)s: `%(key)s` must be a whole number, not %(value)r",
                    where=where,
                    key=key,
                    value=value,
                ),
                _("Write `%(key)s: 3` (digits only).", key=key),
            )
            return None
        if minimum is not None and value < minimum:
            self.error(
                parent.line_of(key),
                _("%(where)s: `%(key)s` must be at least %(n)d", where=where, key=key, n=minimum),
                _("Use a number from %(n)d.", n=minimum),
            )
            return None
        if maximum is not None and value > maximum:
            self.error(
                parent.line_of(key),
                _("%(where)s: `%(key)s` must be at most %(n)d", where=where, key=key, n=maximum),
                _("Use a number up to %(n)d.", n=maximum),
            )
            return None
        return value

    def boolean(self, parent, key, where: str, default: bool) -> bool:
        if key not in parent:
            return default
        value = parent[key]
        if not isinstance(value, bool):
            self.error(
                parent.line_of(key),
                _(
                    "%(where)s: `%(key)s` must be true or false, not %(value)r",
                    where=where,
                    key=key,
                    value=value,
                ),
                _("Write `%(key)s: true` or `%(key)s: false`.", key=key),
            )
            return default
        return value

    def choice(
        self, parent, key, where: str, allowed: tuple[str, ...], required: bool = True
    ) -> str | None:
        if key not in parent:
            if required:
                self.error(
                    parent.line,
                    _("%(where)s: `%(key)s` is missing", where=where, key=key),
                    _(
                        "Add `%(key)s:` with one of: %(values)s.",
                        key=key,
                        values=", ".join(allowed),
                    ),
                )
            return None
        value = parent[key]
        if value not in allowed:
            self.error(
                parent.line_of(key),
                _("%(where)s: `%(key)s` is %(value)r", where=where, key=key, value=value),
                _("Use one of: %(values)s.", values=", ".join(allowed)),
            )
            return None
        return value

    def slug(self, parent, key, where: str) -> str | None:
        value = parent.get(key)
        if value is None:
            self.error(
                parent.line,
                _("%(where)s: `%(key)s` is missing", where=where, key=key),
                _("Add `%(key)s:` (lower-case letters, digits and hyphens).", key=key),
            )
            return None
        if not isinstance(value, str) or not SLUG.match(value):
            self.error(
                parent.line_of(key),
                _(
                    "%(where)s: `%(key)s` %(value)r is not a valid id",
                    where=where,
                    key=key,
                    value=value,
                ),
                _("Use lower-case letters, digits and hyphens only, e.g. `ask-background`."),
            )
            return None
        return value

    def text(self, parent, key, where: str, required: bool = True) -> dict | None:
        """A translated text: ``{ja: "…", en: "…"}`` with Japanese required."""
        if key not in parent or parent[key] is None:
            if required:
                self.error(
                    parent.line,
                    _(
                        "%(where)s: `%(key)s` is missing (Japanese text is required)",
                        where=where,
                        key=key,
                    ),
                    _('Add `%(key)s: {ja: "…"}`.', key=key),
                )
            return None
        value = parent[key]
        line = parent.line_of(key)
        return self.text_value(value, line, _("%(where)s, `%(key)s`", where=where, key=key))

    def text_value(self, value, line: int, where: str) -> dict | None:
        if isinstance(value, str):
            self.error(
                line,
                _("%(where)s must give the language: {ja: …}", where=where),
                _('Write {ja: "%(text)s…"} (add `en:` for English if you like).', text=value[:20]),
            )
            return None
        if not isinstance(value, LineDict):
            self.error(
                line,
                _('%(where)s must be a mapping of languages like {ja: "…"}', where=where),
                _('Write {ja: "…"}.'),
            )
            return None
        for locale in value:
            if locale not in LOCALES:
                self.error(
                    value.line_of(locale),
                    _("%(where)s: unknown language `%(locale)s`", where=where, locale=locale),
                    _("Use `ja` (required) and `en` (optional)."),
                )
        japanese = value.get("ja")
        if not isinstance(japanese, str) or not japanese.strip():
            self.error(
                value.line,
                _("%(where)s: the Japanese text (`ja`) is missing or empty", where=where),
                _('Add `ja: "…"` with the Japanese text.'),
            )
            return None
        english = value.get("en")
        if english is not None and (not isinstance(english, str) or not english.strip()):
            self.error(
                value.line_of("en"),
                _("%(where)s: `en` must be a non-empty text", where=where),
                _("Write the English text or remove `en`."),
            )
        return {k: v for k, v in value.items() if k in LOCALES and isinstance(v, str)}


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

"""Content formats described once, as data, and the one engine that checks files against them.

A format is a :class:`Spec`: the fields of a mapping, each a :class:`Field` with a type, whether
it is required and its default, plus the semantic checks no type can express (a scenario's graph,
a quiz's pass mark), as small named functions run after the fields. The types:

- :class:`Str` (optionally a pattern), :data:`SLUG`, :class:`Int`, :class:`Number`, :class:`Bool`,
  :class:`Date`, :class:`Enum` (one of given values), :class:`Text` (``{ja: "…", en: "…"}``);
- :class:`ListOf` and :class:`MapOf` (items of one type, optionally unique by a key), and a nested
  :class:`Spec`;
- :class:`Ref`: a name that must be defined elsewhere, in the same file (a scenario's nodes) or in
  another content kind (the videos a course lists).

:func:`check_mapping` walks a loaded :class:`~app.content.yamlfile.LineDict` and reports every
:class:`~app.content.registry.Problem` with its ``file:line``, a message in the current locale
(``_()``; English is the msgid) and a hint, "did you mean" included where a close name exists.
Checks and the code that reads the data later ask the :class:`Context` for the values that passed
(``ctx.value(mapping, key)``), so one defect is reported once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.content.schema import Checker
from app.content.yamlfile import LineDict, LineList

LOCALES = ("ja", "en")

#: a check run after a mapping's fields: (ctx, mapping, where)
Hook = Callable[["Context", LineDict, str], None]
#: a label for one item of a list or mapping: (where of the parent, number or key, item) → where
Label = Callable[[str, Any, Any], str]


class Context(Checker):
    """One file being checked: its problems, the content root, the whole data, and which
    values passed their type (so that later checks use only those)."""

    def __init__(self, path: Path, root: Path | None = None):
        super().__init__(path)
        self.root = root
        self.data: LineDict = LineDict()
        self._invalid: set[tuple[int, Any]] = set()
        self._named_at: dict[int, int] = {}
        #: what the file was parsed into beside its data (a course's reading sections)
        self.source: Any = None

    def reject(self, mapping, key) -> None:
        self._invalid.add((id(mapping), key))

    def ok(self, container, key) -> bool:
        """``key`` is in ``container`` (a mapping's key, a list's index) and passed its type."""
        if isinstance(container, list):
            present = isinstance(key, int) and 0 <= key < len(container)
        else:
            present = isinstance(container, dict) and key in container
        return present and (id(container), key) not in self._invalid

    def value(self, mapping, key, default=None):
        return mapping[key] if self.ok(mapping, key) else default

    def line(self, mapping: LineDict) -> int:
        """Where a nested mapping is named (its key or list item), else where it starts."""
        return self._named_at.get(id(mapping), mapping.line)


def subject(where: str, key) -> str:
    """How a message names a field: ``question 2: `score```."""
    return _("%(where)s: `%(key)s`", where=where, key=key) if key is not None else where


def did_you_mean(name, candidates: Iterable, otherwise: str = "") -> str:
    close = difflib.get_close_matches(str(name), sorted(str(c) for c in candidates), n=1)
    return _("Did you mean `%(name)s`?", name=close[0]) if close else otherwise


# --- types ------------------------------------------------------------------------------------


class Type:
    """One kind of value. ``check`` reports what is wrong and says whether the value is usable."""

    def check(self, ctx: Context, value, line: int, where: str, key) -> bool:
        raise NotImplementedError

    def missing(self, ctx: Context, parent: LineDict, where: str, key) -> None:
        ctx.error(
            parent.line,
            _("%(what)s is missing", what=subject(where, key)),
            self.example(key),
        )

    def example(self, key) -> str:
        return _("Add `%(key)s:`.", key=key)


@dataclass(frozen=True)
class Str(Type):
    """Text on one line; with ``pattern``, text of that shape (an id, a file name …)."""

    pattern: re.Pattern | None = None
    hint: Any = ""  # how a valid value looks (a lazy msgid), for the message
    numbers: bool = False  # a code such as 1040 may be written without quotes
    #: what a value of the wrong shape is told (a lazy msgid with %(what)s and %(value)r)
    message: Any = None

    def check(self, ctx, value, line, where, key) -> bool:
        if self.numbers and isinstance(value, int) and not isinstance(value, bool):
            return True
        if not isinstance(value, str) or not value.strip():
            ctx.error(
                line,
                _("%(what)s must be text, not %(value)r", what=subject(where, key), value=value),
                _("Write `%(key)s: …`.", key=key) if key is not None else "",
            )
            return False
        if self.pattern is not None and not self.pattern.match(value):
            ctx.error(
                line,
                (self.message or _l("%(what)s %(value)r is not a valid id"))
                % {"what": subject(where, key), "value": value},
                str(self.hint)
                if self.hint
                else _("Use lower-case letters, digits and hyphens only, e.g. `ask-background`."),
            )
            return False
        return True

    def example(self, key) -> str:
        if self.pattern is not None:
            return _("Add `%(key)s:` (lower-case letters, digits and hyphens).", key=key)
        return _("Add `%(key)s: …`.", key=key)


#: lower-case letters, digits and hyphens: file and folder names, a course's items
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
SLUG = Str(SLUG_PATTERN)

#: the id of an item in a list or mapping (a question, an option, a node)
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
ITEM_ID_HINT = _l('Use letters, digits, hyphens and underscores; quote numbers ("1").')
ID = Str(ITEM_ID, ITEM_ID_HINT)


@dataclass(frozen=True)
class Int(Type):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, ctx, value, line, where, key) -> bool:
        what = subject(where, key)
        if isinstance(value, bool) or not isinstance(value, int):
            ctx.error(
                line,
                _("%(what)s must be a whole number, not %(value)r", what=what, value=value),
                _("Write `%(key)s: 3` (digits only).", key=key)
                if key is not None
                else _("Write a whole number such as 3."),
            )
            return False
        return _in_range(ctx, value, line, what, self.minimum, self.maximum)

    def example(self, key) -> str:
        return _("Add `%(key)s: <whole number>`.", key=key)


@dataclass(frozen=True)
class Number(Type):
    """A number, whole or not, within ``minimum``..``maximum`` (above ``above`` when given)."""

    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None

    def check(self, ctx, value, line, where, key) -> bool:
        what = subject(where, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            ctx.error(
                line,
                _("%(what)s must be a number, not %(value)r", what=what, value=value),
                _("Write `%(key)s: 0.9` (digits only).", key=key)
                if key is not None
                else _("Write a number such as 0.9."),
            )
            return False
        if self.above is not None and value <= self.above:
            ctx.error(
                line,
                _("%(what)s must be above %(n)s", what=what, n=f"{self.above:g}"),
                _("Use a number above %(n)s.", n=f"{self.above:g}"),
            )
            return False
        return _in_range(ctx, value, line, what, self.minimum, self.maximum)

    def example(self, key) -> str:
        return _("Add `%(key)s: <number>`.", key=key)


def _in_range(ctx, value, line, what, minimum, maximum) -> bool:
    if minimum is not None and value < minimum:
        ctx.error(
            line,
            _("%(what)s must be at least %(n)s", what=what, n=f"{minimum:g}"),
            _("Use a number from %(n)s.", n=f"{minimum:g}"),
        )
        return False
    if maximum is not None and value > maximum:
        ctx.error(
            line,
            _("%(what)s must be at most %(n)s", what=what, n=f"{maximum:g}"),
            _("Use a number up to %(n)s.", n=f"{maximum:g}"),
        )
        return False
    return True


@dataclass(frozen=True)
class Bool(Type):
    def check(self, ctx, value, line, where, key) -> bool:
        if isinstance(value, bool):
            return True
        ctx.error(
            line,
            _(
                "%(what)s must be true or false, not %(value)r",
                what=subject(where, key),
                value=value,
            ),
            _("Write `%(key)s: true` or `%(key)s: false`.", key=key)
            if key is not None
            else _("Write true or false."),
        )
        return False

    def example(self, key) -> str:
        return _("Write `%(key)s: true` or `%(key)s: false`.", key=key)


@dataclass(frozen=True)
class Date(Type):
    def check(self, ctx, value, line, where, key) -> bool:
        if isinstance(value, date):
            return True
        ctx.error(
            line,
            _("%(what)s must be a date, not %(value)r", what=subject(where, key), value=value),
            _("Write `%(key)s: 2026-09-30` (year-month-day).", key=key)
            if key is not None
            else _("Write a date such as 2026-09-30."),
        )
        return False


@dataclass(frozen=True)
class Enum(Type):
    """One of a fixed set of values."""

    values: tuple

    def check(self, ctx, value, line, where, key) -> bool:
        if value in self.values:
            return True
        allowed = _("Use one of: %(values)s.", values=", ".join(str(v) for v in self.values))
        ctx.error(
            line,
            _("%(what)s is %(value)r", what=subject(where, key), value=value),
            did_you_mean(value, self.values, allowed),
        )
        return False

    def example(self, key) -> str:
        return _(
            "Add `%(key)s:` with one of: %(values)s.",
            key=key,
            values=", ".join(str(v) for v in self.values),
        )


@dataclass(frozen=True)
class Text(Type):
    """A translated text, ``{ja: "…", en: "…"}``: Japanese required, English optional.

    ``plain`` accepts a plain string as the Japanese text (the courses' front matter does)."""

    plain: bool = False

    def missing(self, ctx, parent, where, key) -> None:
        ctx.error(
            parent.line,
            _("%(what)s is missing (Japanese text is required)", what=subject(where, key)),
            _('Add `%(key)s: {ja: "…"}`.', key=key),
        )

    def check(self, ctx, value, line, where, key) -> bool:
        what = subject(where, key)
        if isinstance(value, str) and self.plain:
            if value.strip():
                return True
            ctx.error(
                line, _("%(what)s is empty", what=what), _("Write the text, or remove the key.")
            )
            return False
        if isinstance(value, str) and not self.plain:
            ctx.error(
                line,
                _("%(what)s must give the language: {ja: …}", what=what),
                _('Write {ja: "%(text)s…"} (add `en:` for English if you like).', text=value[:20]),
            )
            return False
        if not isinstance(value, LineDict):
            ctx.error(
                line,
                _('%(what)s must be a mapping of languages like {ja: "…"}', what=what),
                _('Write {ja: "…"}.'),
            )
            return False
        return self._languages(ctx, value, what)

    @staticmethod
    def _languages(ctx, value: LineDict, what: str) -> bool:
        usable = True
        for locale in value:
            if locale not in LOCALES:
                ctx.error(
                    value.line_of(locale),
                    _("%(what)s: unknown language `%(locale)s`", what=what, locale=locale),
                    _("Use `ja` (required) and `en` (optional)."),
                )
                usable = False
        japanese = value.get("ja")
        if not isinstance(japanese, str) or not japanese.strip():
            ctx.error(
                value.line,
                _("%(what)s: the Japanese text (`ja`) is missing or empty", what=what),
                _('Add `ja: "…"` with the Japanese text.'),
            )
            return False
        english = value.get("en")
        if english is not None and (not isinstance(english, str) or not english.strip()):
            ctx.error(
                value.line_of("en"),
                _("%(what)s: `en` must be a non-empty text", what=what),
                _("Write the English text or remove `en`."),
            )
            return False
        return usable


@dataclass(frozen=True)
class Anything(Type):
    """A value the portal does not read (written by a tool, kept for people)."""

    def check(self, ctx, value, line, where, key) -> bool:
        return True


@dataclass(frozen=True)
class OneOf(Type):
    """A value that may be written as text, as a mapping or as a list, each with its own type."""

    text: Type | None = None
    mapping: Type | None = None
    items: Type | None = None
    shape: Any = ""  # how it may be written, for the message

    def check(self, ctx, value, line, where, key) -> bool:
        for kind, chosen in ((str, self.text), (LineDict, self.mapping), (LineList, self.items)):
            if chosen is not None and isinstance(value, kind):
                return chosen.check(ctx, value, line, where, key)
        ctx.error(
            line,
            _("%(what)s must be written as %(shape)s", what=subject(where, key), shape=self.shape),
        )
        return False


def item_label(noun) -> Label:
    """Items named ``<noun> 2``, or ``<noun> `id``` when they have a valid ``id``."""

    def label(where, n, item) -> str:
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, str) and ITEM_ID.match(item_id):
            return _("%(noun)s `%(id)s`", noun=noun, id=item_id)
        return _("%(noun)s %(n)d", noun=noun, n=n)

    return label


def nested_label(noun) -> Label:
    """Items named after their parent: ``node `a`, choice 2``."""
    return lambda where, n, item: _("%(where)s, %(noun)s %(n)d", where=where, noun=noun, n=n)


def own_label(noun) -> Label:
    """Items named on their own: ``goal 2``, ``node `arrival```."""

    def label(where, n, item) -> str:
        if isinstance(n, int):
            return _("%(noun)s %(n)d", noun=noun, n=n)
        return _("%(noun)s `%(id)s`", noun=noun, id=n)

    return label


@dataclass(frozen=True)
class Unique:
    """Items of a list must differ in ``key`` (``noun`` names it in the message)."""

    key: str
    noun: Any  # a lazy msgid: "node", "question"


@dataclass(frozen=True)
class ListOf(Type):
    item: Type
    min_items: int = 1
    label: Label | None = None
    unique: Unique | None = None

    def example(self, key) -> str:
        return _(
            "Add `%(key)s:` with at least %(n)d item(s), each starting with `- `.",
            key=key,
            n=self.min_items,
        )

    def check(self, ctx, value, line, where, key) -> bool:
        what = subject(where, key)
        if not isinstance(value, LineList):
            ctx.error(
                line,
                _("%(what)s must be a list", what=what),
                _("Write each item on its own line starting with `- `."),
            )
            return False
        if len(value) < self.min_items:
            ctx.error(
                line,
                _("%(what)s needs at least %(n)d item(s)", what=what, n=self.min_items),
                _("Add the missing items."),
            )
        label = self.label or nested_label(_l("item"))
        for index, item in enumerate(value):
            if not self.item.check(
                ctx, item, value.line_of(index), label(where, index + 1, item), None
            ):
                ctx.reject(value, index)
        if self.unique is not None:
            self._unique(ctx, value, where)
        return True

    def _unique(self, ctx, items: LineList, where: str) -> None:
        seen: dict[str, int] = {}
        key = self.unique.key
        for index, item in enumerate(items):
            name = ctx.value(item, key) if isinstance(item, dict) else None
            if not isinstance(name, str):
                continue
            if name in seen:
                ctx.error(
                    item.line_of(key),
                    _(
                        "%(where)s: %(noun)s id `%(id)s` is used twice (first on line %(line)d)",
                        where=where,
                        noun=self.unique.noun,
                        id=name,
                        line=seen[name],
                    ),
                    _("Give each its own id."),
                )
                ctx.reject(items, index)
            else:
                seen[name] = item.line_of(key)


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping whose keys are names (ids) and whose values all have one type."""

    value: Type
    key: Str = ID
    min_items: int = 1
    label: Label | None = None

    def example(self, key) -> str:
        return _("Add `%(key)s:` with its entries.", key=key)

    def check(self, ctx, value, line, where, key) -> bool:
        what = subject(where, key)
        if not isinstance(value, LineDict):
            ctx.error(
                line,
                _("%(what)s must be a mapping", what=what),
                _("Indent the entries of `%(key)s` under it as `name: value` lines.", key=key),
            )
            return False
        if len(value) < self.min_items:
            ctx.error(
                line,
                _("%(what)s needs at least %(n)d item(s)", what=what, n=self.min_items),
                _("Add the missing items."),
            )
        for name, item in value.items():
            line = value.line_of(name)
            if not self.key.check(ctx, name, line, what, None):
                ctx.reject(value, name)
            # items named by a label (``node `a```), or as keys of the mapping (``rooms: `hall```)
            place = (self.label(where, name, item), None) if self.label else (what, name)
            if not self.value.check(ctx, item, line, *place):
                ctx.reject(value, name)
        return True


@dataclass(frozen=True)
class Ref(Type):
    """A name defined elsewhere: ``names(ctx)`` lists what may be named, ``noun`` says what it is.

    Where names are known by a convention rather than listed (a course's videos are folders),
    ``exists(ctx, name)`` decides and ``names`` only feeds the hint; ``hint(name)`` says what to
    add. An unknown name is reported with the closest defined one ("did you mean")."""

    names: Callable[[Context], Iterable[str]]
    noun: Any  # a lazy msgid, or a word authors write in the file (``video``)
    type: Type = ID
    exists: Callable[[Context, str], bool] | None = None
    hint: Callable[[str], str] | None = None

    def check(self, ctx, value, line, where, key) -> bool:
        if not self.type.check(ctx, value, line, where, key):
            return False
        if self.exists is not None and self.exists(ctx, value):
            return True
        names = list(self.names(ctx))
        if self.exists is None and value in names:
            return True
        if 0 < len(names) <= 12:
            otherwise = _("Use one of: %(values)s.", values=", ".join(map(str, names)))
        else:
            otherwise = _("Use the id of an existing %(noun)s.", noun=self.noun)
        hints = [did_you_mean(value, names, "" if self.hint else otherwise)]
        hints.append(self.hint(value) if self.hint else "")
        ctx.error(
            line,
            _(
                "%(what)s names %(noun)s `%(value)s`, which does not exist",
                what=subject(where, key),
                noun=self.noun,
                value=value,
            ),
            " ".join(h for h in hints if h),
        )
        return False

    def example(self, key) -> str:
        return _("Add `%(key)s: <id of the %(noun)s>`.", key=key, noun=self.noun)


# --- records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One key of a mapping. ``required`` may depend on the mapping: ``(ctx, mapping) → bool``."""

    type: Type
    required: bool | Callable[[Context, LineDict], bool] = False
    default: Any = None

    def is_required(self, ctx: Context, mapping: LineDict) -> bool:
        return self.required(ctx, mapping) if callable(self.required) else bool(self.required)


@dataclass(frozen=True)
class Spec(Type):
    """A mapping with known keys: its fields, and the checks run after them."""

    fields: dict[str, Field]
    checks: tuple[Hook, ...] = ()
    shape: Any = ""  # how such a mapping is written, for the "must be a mapping" hint
    unknown: str = "error"  # or "warning": formats that tools write into keep going

    def check(self, ctx, value, line, where, key) -> bool:
        if not isinstance(value, LineDict):
            ctx.error(
                line,
                _("%(what)s must be a mapping", what=subject(where, key)),
                str(self.shape) if self.shape else _("Write `name: value` lines."),
            )
            return False
        ctx._named_at[id(value)] = line
        return self.walk(
            ctx, value, _("%(where)s, %(key)s", where=where, key=key) if key else where
        )

    def walk(self, ctx: Context, mapping: LineDict, where: str) -> bool:
        """Check every field, then run the checks; the mapping is usable when every field it
        requires is."""
        unknown_keys(ctx, mapping, self.fields, where, self.unknown)
        usable = True
        for key, spec in self.fields.items():
            if key in mapping and mapping[key] is not None:
                if not spec.type.check(ctx, mapping[key], mapping.line_of(key), where, key):
                    ctx.reject(mapping, key)
            else:
                ctx.reject(mapping, key)
                if spec.is_required(ctx, mapping):
                    spec.type.missing(ctx, mapping, where, key)
            usable = usable and (ctx.ok(mapping, key) or not spec.is_required(ctx, mapping))
        for hook in self.checks:
            hook(ctx, mapping, where)
        return usable

    def defaults(self) -> dict:
        return {k: f.default for k, f in self.fields.items() if f.default is not None}


def unknown_keys(
    ctx: Context, mapping: LineDict, allowed: Iterable[str], where: str, severity: str = "error"
) -> None:
    """Keys that are not part of the format (typos, mostly), with the closest known key."""
    allowed = sorted(allowed)
    report = ctx.error if severity == "error" else ctx.warning
    for key in mapping:
        if key not in allowed:
            report(
                mapping.line_of(key),
                _("%(where)s: unknown key `%(key)s`", where=where, key=key),
                did_you_mean(key, allowed, _("Allowed keys: %(keys)s.", keys=", ".join(allowed))),
            )


def check_mapping(ctx: Context, data: LineDict, spec: Spec, where: str) -> None:
    """Walk ``data`` against ``spec``, reporting into ``ctx``."""
    ctx.data = data
    spec.walk(ctx, data, where)


def check_yaml_file(
    path: Path, root: Path, spec: Spec, where: str
) -> tuple[Context, LineDict | None]:
    """Load one YAML file and check it against ``spec``."""
    ctx = Context(path, root)
    data = ctx.load()
    if data is not None:
        check_mapping(ctx, data, spec, where)
    return ctx, data


def file_id(reserved: Iterable[str] = ()) -> Hook:
    """The file's ``id`` is its name without the suffix, and not a name the portal's pages use."""
    reserved = frozenset(reserved)

    def check_file_id(ctx: Context, data: LineDict, where: str) -> None:
        value = ctx.value(data, "id")
        if value is None:
            return
        stem = ctx.path.stem
        if value in reserved:
            ctx.error(
                data.line_of("id"),
                _("id `%(id)s` is reserved for the portal's own pages", id=value),
                _("Choose another id (and file name)."),
            )
        if value != stem:
            ctx.error(
                data.line_of("id"),
                _("id `%(id)s` differs from the file name `%(stem)s`", id=value, stem=stem),
                _(
                    "Rename the file to %(name)s or set `id: %(stem)s`.",
                    name=value + ctx.path.suffix,
                    stem=stem,
                ),
            )

    return check_file_id

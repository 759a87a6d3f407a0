"""The pronunciation dictionary (``videos/pronunciation.yaml``): term → reading in katakana.

Every spoken line of every script goes through :meth:`Dictionary.apply` before synthesis:
each term is replaced by its reading, longest term first, so that the voice says 8050 as
ハチマルゴーマル. Only what is spoken changes; captions and cards keep the written term.
A line's own ``reading:`` is spoken as written and wins over the dictionary.

:meth:`Dictionary.for_engine` keeps only the terms a speech engine would otherwise misread:
a term it already reads right keeps the engine's own (better) accent. The terms also stay
whole when captions are broken into lines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import Problem
from app.content.yamlfile import LineDict, YamlError, load_file

FILE_NAME = "pronunciation.yaml"
KATAKANA = re.compile(r"^[ァ-ヺー・ヽヾ　 ]+$")
LONG_TERM = 40


def sound(kana: str) -> str:
    """A reading reduced to its sounds: コクホゼイ and コクホゼー, ヒャクトオバン and
    ヒャクトーバン are the same; ・ and spaces do not count."""
    out: list[str] = []
    vowel = ""  # the vowel of the mora before
    for char in kana.replace("ヲ", "オ").replace("ヅ", "ズ").replace("ヂ", "ジ"):
        if char in "・ 　":
            continue
        name = unicodedata.name(char, "").split()
        syllable = name[-1] if name[:2] == ["KATAKANA", "LETTER"] else ""
        if (
            syllable in ("A", "I", "U", "E", "O")
            and "SMALL" not in name
            and (syllable == vowel or (vowel, syllable) in {("E", "I"), ("O", "U")})
        ):
            char = "ー"  # a plain vowel that lengthens the one before
        if char == "ー":
            vowel = ""  # a long vowel is not lengthened again
        else:
            vowel = (
                ""
                if syllable in ("N", "TU") and ("SMALL" in name or syllable == "N")
                else syllable[-1:]
            )
        out.append(char)
    return "".join(out)


def _pattern_for(term: str) -> str:
    """A term matches in half-width or full-width (8050 and ８０５０); a number is never
    matched inside a longer number."""
    parts = []
    for char in term:
        folded = unicodedata.normalize("NFKC", char)
        wide = chr(ord(folded) + 0xFEE0) if len(folded) == 1 and "!" <= folded <= "~" else ""
        parts.append(f"[{re.escape(folded)}{re.escape(wide)}]" if wide else re.escape(char))
    body = "".join(parts)
    if term[0].isdigit():
        body = r"(?<![0-9０-９])" + body
    if term[-1].isdigit():
        body += r"(?![0-9０-９])"
    return body


@dataclass
class Dictionary:
    """Terms and their readings; the longest term wins where several match."""

    readings: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""

    def __post_init__(self) -> None:
        terms = sorted(self.readings, key=lambda t: (-len(t), t))
        self._regex = (
            re.compile("|".join(f"(?P<t{i}>{_pattern_for(t)})" for i, t in enumerate(terms)))
            if terms
            else None
        )
        self._terms = terms

    def _matches(self, text: str):
        if self._regex is None:
            return
        for match in self._regex.finditer(text):
            yield match, self._terms[int(match.lastgroup[1:])]

    def apply(self, text: str) -> str:
        """The text for the speech engine: every term replaced by its reading."""
        if self._regex is None:
            return text
        out, last = [], 0
        for match, term in self._matches(text):
            out += [text[last : match.start()], self.readings[term]]
            last = match.end()
        return "".join([*out, text[last:]])

    def spoken(self, text: str, reading: str = "") -> str:
        """What the voice says for a line: its own reading if it has one, else the text
        through the dictionary."""
        return reading or self.apply(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the terms are in ``text``: caption lines never break inside them."""
        return [(m.start(), m.end()) for m, _term in self._matches(text)]

    def for_engine(self, engine) -> Dictionary:
        """The terms ``engine`` would misread on its own (compared by :func:`sound`)."""
        needed = {t: r for t, r in self.readings.items() if sound(engine.g2p(t)) != sound(r)}
        return Dictionary(
            needed, {t: self.lines[t] for t in needed if t in self.lines}, self.path, self.sha256
        )


def path_for(root: Path) -> Path:
    """The dictionary of the content root ``root`` (beside the video folders)."""
    return root / "videos" / FILE_NAME


def beside(script_path: Path) -> Path:
    """The dictionary that applies to ``videos/<id>/script.yaml``."""
    return script_path.parent.parent / FILE_NAME


def load(path: Path) -> tuple[Dictionary | None, list[Problem]]:
    """Read and validate the dictionary; a missing file is an empty dictionary."""
    if not path.exists():
        return Dictionary(path=path), []
    problems: list[Problem] = []
    try:
        data = load_file(path)
    except YamlError as exc:
        return None, [Problem(path, exc.line, _("not valid YAML: %(error)s", error=str(exc)))]
    except OSError as exc:
        return None, [Problem(path, None, _("cannot read the file: %(error)s", error=exc.strerror))]
    if data is None:
        data = LineDict()
    if not isinstance(data, LineDict):
        return None, [
            Problem(
                path,
                1,
                _("the dictionary is a mapping of term: reading"),
                _('for example  "8050": ハチマルゴーマル'),
            )
        ]
    readings: dict[str, str] = {}
    lines: dict[str, int] = {}
    for term, reading in data.items():
        line = data.line_of(term)
        if not isinstance(term, str):
            problems.append(
                Problem(
                    path,
                    line,
                    _("the term %(term)s must be written in quotes", term=term),
                    f'"{term}": {reading}',
                )
            )
            continue
        term = term.strip()
        if not term or any(c.isspace() for c in term):
            problems.append(
                Problem(path, line, _("the term %(term)r is empty or contains a space", term=term))
            )
            continue
        if len(term) > LONG_TERM:
            problems.append(
                Problem(
                    path,
                    line,
                    _("the term %(term)s is longer than %(n)d characters", term=term, n=LONG_TERM),
                    _("use a reading: on the script line instead"),
                )
            )
            continue
        if not isinstance(reading, str) or not reading.strip():
            problems.append(
                Problem(
                    path,
                    line,
                    _("%(term)s: the reading is missing", term=term),
                    _("%(term)s: ヨミ (in katakana)", term=term),
                )
            )
            continue
        if not KATAKANA.match(reading.strip()):
            problems.append(
                Problem(
                    path,
                    line,
                    _(
                        "%(term)s: the reading %(reading)r must be katakana",
                        term=term,
                        reading=reading,
                    ),
                    _("write it as it sounds, for example コクホゼイ"),
                )
            )
            continue
        readings[term] = reading.strip()
        lines[term] = line
    if problems:
        return None, problems
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Dictionary(readings, lines, path, sha), problems


def check(path: Path, engine) -> list[Problem]:
    """Validation, then each term as the engine will read it after the dictionary."""
    dictionary, problems = load(path)
    if dictionary is None or engine is None:
        return problems
    active = dictionary.for_engine(engine)
    for term, reading in dictionary.readings.items():
        spoken = engine.g2p(active.apply(term))
        if sound(spoken) != sound(reading):
            problems.append(
                Problem(
                    path,
                    dictionary.lines[term],
                    _(
                        "%(term)s: the voice reads %(spoken)s, not %(reading)s",
                        term=term,
                        spoken=spoken,
                        reading=reading,
                    ),
                    _(
                        "write the reading as separate words (with ・) or use a reading: on the script line"
                    ),
                    "warning",
                )
            )
    return problems

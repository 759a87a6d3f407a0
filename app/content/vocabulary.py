"""Training content speaks the form's language.

When a scenario, quiz, course or script names a field or a choice of a form staff use (「同意の状況」,
緊急度「命や安全に関わる」, 「見たこと・聞いたこと」 in 1～3行), that field or choice must exist, word for
word. A form's area registers a :class:`FormVocabulary` (its labels and choices as the portal shows
them in Japanese); :func:`check` reads every content line against all of them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.content.registry import Problem, Selection


@dataclass
class FormVocabulary:
    form: str  # the form's name, for messages
    fields: dict[str, list[str]]  # label → its choices (empty for free text)
    line_range: tuple[int, int] | None = None  # how many lines the observation field asks for
    aliases: dict[str, str] = field(default_factory=dict)  # another accepted name → label

    def labels(self) -> set[str]:
        return set(self.fields) | set(self.aliases)

    def choices_of(self, label: str) -> list[str]:
        return self.fields.get(self.aliases.get(label, label), [])


def register_provider(app, provider: Callable[[], FormVocabulary]) -> None:
    """Add a form whose words content may quote (the area's ``init_app`` calls this)."""
    from app.core import registries

    registries.add(app, registries.FORM_VOCABULARIES, provider)


QUOTED = re.compile(r"「([^「」]{1,30})」")
FIELD = re.compile(r"「([^「」]{1,30})」\s*欄")
LINES = re.compile(r"([0-9０-９一二三四五])\s*[～〜~\-－ー]\s*([0-9０-９一二三四五六七八九])\s*行")
DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _short(text: str) -> str:
    """A choice may be named without its explanation in brackets: 「通常」 for 「通常（数日以内…）」."""
    return re.split(r"[（(]", text, maxsplit=1)[0].strip()


def _number(ch: str) -> int:
    return KANJI_DIGITS.get(ch) or int(ch.translate(DIGITS))


def _is_comment(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("#") or (stripped.startswith("<!--") and stripped.endswith("-->"))


def _choice_known(vocabulary: FormVocabulary, label: str, name: str) -> bool:
    choices = vocabulary.choices_of(label)
    return name in choices or name in {_short(c) for c in choices}


def check_line(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """(message, hint) for each thing the line says about the form that the form does not have."""
    return [
        problem
        for check in (
            _unknown_fields,
            _unknown_choices,
            _misquoted_labels,
            _misspelt_labels,
            _wrong_line_range,
        )
        for problem in check(vocabulary, text)
    ]


def _unknown_fields(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """Fields named 「…」欄 that the form does not have."""
    found = []
    labels = vocabulary.labels()
    for name in FIELD.findall(text):
        if name not in labels:
            close = difflib.get_close_matches(name, sorted(labels), n=1, cutoff=0.5)
            found.append(
                (
                    _("the %(form)s has no field 「%(name)s」", form=vocabulary.form, name=name),
                    _("Use the field's own name: 「%(label)s」.", label=close[0])
                    if close
                    else _(
                        "Name a field the form has: %(labels)s.",
                        labels="、".join(sorted(vocabulary.fields)),
                    ),
                )
            )
    return found


def _unknown_choices(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """Choices named for a field that the field does not offer."""
    found = []
    labels = vocabulary.labels()
    for label in labels:
        if not vocabulary.choices_of(label):
            continue
        for match in re.finditer(
            re.escape(label) + r"」?\s*(?:は|を|に|が|で|：|:)?\s*「([^「」]{1,30})」", text
        ):
            if not _choice_known(vocabulary, label, match.group(1)):
                found.append(
                    (
                        _(
                            "「%(label)s」 has no choice 「%(name)s」",
                            label=label,
                            name=match.group(1),
                        ),
                        _(
                            "Its choices are: %(choices)s.",
                            choices="／".join(vocabulary.choices_of(label)),
                        ),
                    )
                )
    return found


def _misquoted_labels(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """Quoted words close to a field's name but not it."""
    found = []
    labels = vocabulary.labels()
    for quoted in QUOTED.findall(text):
        if quoted in labels or any(
            _choice_known(vocabulary, lb, quoted) for lb in vocabulary.fields
        ):
            continue
        for label in vocabulary.fields:
            if (
                len(label) >= 4
                and quoted[:2] == label[:2]
                and len(quoted) == len(label)
                and difflib.SequenceMatcher(None, quoted, label).ratio() >= 0.75
            ):
                found.append(
                    (
                        _(
                            "「%(name)s」 is not what the %(form)s calls it",
                            name=quoted,
                            form=vocabulary.form,
                        ),
                        _("Use the form's words: 「%(label)s」.", label=label),
                    )
                )
    return found


def _misspelt_labels(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """A field's name written with one character wrong."""
    found = []
    for label in vocabulary.fields:
        if len(label) < 5:
            continue
        for start in range(len(text) - len(label) + 1):
            window = text[start : start + len(label)]
            if (
                window[:3] == label[:3]
                and window != label
                and sum(a != b for a, b in zip(window, label, strict=True)) == 1
                and window not in vocabulary.labels()
            ):
                found.append(
                    (
                        _(
                            "「%(name)s」 is not what the %(form)s calls it",
                            name=window,
                            form=vocabulary.form,
                        ),
                        _("Use the form's words: 「%(label)s」.", label=label),
                    )
                )
    return found


def _wrong_line_range(vocabulary: FormVocabulary, text: str) -> list[tuple[str, str]]:
    """A number of lines other than the form asks for."""
    found = []
    if vocabulary.line_range:
        low, high = vocabulary.line_range
        for a, b in LINES.findall(text):
            if (_number(a), _number(b)) != (low, high):
                found.append(
                    (
                        _(
                            "the %(form)s asks for %(low)d～%(high)d lines, not %(a)s～%(b)s",
                            form=vocabulary.form,
                            low=low,
                            high=high,
                            a=a,
                            b=b,
                        ),
                        _("Write 「%(low)d～%(high)d行」.", low=low, high=high),
                    )
                )
    return found


def check(selection: Selection) -> list[Problem]:
    from flask import has_app_context

    from app.content.legal import content_files

    if not has_app_context():  # a form's words are read from the form, which needs the app
        return []
    from app.core import registries

    vocabularies = [provider() for provider in registries.entries(registries.FORM_VOCABULARIES)]
    if not vocabularies:
        return []
    problems = []
    for path in content_files(selection):
        if path.suffix not in {".yaml", ".yml", ".md"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if _is_comment(line):
                continue
            for vocabulary in vocabularies:
                problems += [
                    Problem(path, number, message, hint)
                    for message, hint in check_line(vocabulary, line)
                ]
    return problems

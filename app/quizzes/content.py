"""``quizzes/<id>.yaml``: the validator and the sync into the database.

Registered with :mod:`app.content.registry` as the ``quizzes`` kind.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import gettext as _

from app.content.registry import ContentKind, Problem, SyncResult
from app.content.schema import Checker, check_each, fingerprint, plain
from app.content.versioning import sync_versioned
from app.content.yamlfile import LineDict

TOP_KEYS = {
    "id",
    "title",
    "description",
    "pass_percent",
    "max_attempts",
    "draw",
    "shuffle_options",
    "questions",
}
QUESTION_KEYS = {"id", "type", "text", "options", "answer", "explanation", "core"}
OPTION_KEYS = {"id", "text", "correct"}
TYPES = ("single", "multiple", "true_false")
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def find(root: Path) -> list[Path]:
    folder = root / "quizzes"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _item_id(c: Checker, parent: LineDict, where: str) -> str | None:
    value = parent.get("id")
    if value is None:
        c.error(
            parent.line,
            _("%(where)s: `id` is missing", where=where),
            _("Add `id:` (letters, digits, hyphens), unique in its list."),
        )
        return None
    if not isinstance(value, str) or not ITEM_ID.match(value):
        c.error(
            parent.line_of("id"),
            _("%(where)s: `id` %(value)r is not a valid id", where=where, value=value),
            _('Use letters, digits and hyphens; quote numbers ("1").'),
        )
        return None
    return value


def check_file(path: Path, root: Path) -> tuple[list[Problem], LineDict | None]:
    c = Checker(path)
    data = c.load()
    if data is None:
        return c.problems, None
    quiz = _("the quiz")
    c.keys(data, TOP_KEYS, quiz)
    file_id = c.slug(data, "id", quiz)
    if file_id == "reports":
        c.error(
            data.line_of("id"),
            _("id `%(id)s` is reserved for the portal's own pages", id=file_id),
            _("Choose another id (and file name)."),
        )
    if file_id and file_id != path.stem:
        c.error(
            data.line_of("id"),
            _("id `%(id)s` differs from the file name `%(stem)s`", id=file_id, stem=path.stem),
            _("Rename the file to %(id)s.yaml or set `id: %(stem)s`.", id=file_id, stem=path.stem),
        )
    c.text(data, "title", quiz)
    c.text(data, "description", quiz, required=False)
    c.integer(data, "pass_percent", quiz, minimum=1, maximum=100)
    c.integer(data, "max_attempts", quiz, required=False, minimum=0)
    c.boolean(data, "shuffle_options", quiz, default=True)
    questions = c.sequence(data, "questions", quiz) or []
    draw = c.integer(data, "draw", quiz, required=False, minimum=1)
    if draw is not None and draw > len(questions):
        c.error(
            data.line_of("draw"),
            _(
                "`draw` is %(draw)d but the pool has only %(n)d questions",
                draw=draw,
                n=len(questions),
            ),
            _("Lower `draw` to %(n)d or add questions.", n=len(questions)),
        )

    seen_questions: dict[str, int] = {}
    core_lines: list[int] = []
    for i, question in enumerate(questions):
        where = _("question %(n)d", n=i + 1)
        if not isinstance(question, LineDict):
            c.error(
                questions.line_of(i),
                _("%(where)s must be a mapping", where=where),
                _("Give it id, type, text, options (or answer) and explanation."),
            )
            continue
        c.keys(question, QUESTION_KEYS, where)
        qid = _item_id(c, question, where)
        if qid is not None:
            where = _("question `%(id)s`", id=qid)
            if qid in seen_questions:
                c.error(
                    question.line_of("id"),
                    _(
                        "question id `%(id)s` is used twice (first on line %(line)d)",
                        id=qid,
                        line=seen_questions[qid],
                    ),
                    _("Give every question its own id."),
                )
            else:
                seen_questions[qid] = question.line_of("id")
        kind = c.choice(question, "type", where, TYPES)
        if c.boolean(question, "core", where, default=False):
            core_lines.append(question.line_of("core"))
        c.text(question, "text", where)
        c.text(question, "explanation", where)
        if kind == "true_false":
            if "options" in question:
                c.error(
                    question.line_of("options"),
                    _("%(where)s: a true_false question has no `options`", where=where),
                    _("Remove `options` and give `answer: true` or `answer: false`."),
                )
            if not isinstance(question.get("answer"), bool):
                line = question.line_of("answer") if "answer" in question else question.line
                c.error(
                    line,
                    _("%(where)s: `answer` must be true or false", where=where),
                    _("Write `answer: true` or `answer: false`."),
                )
        elif kind in ("single", "multiple"):
            if "answer" in question:
                c.error(
                    question.line_of("answer"),
                    _("%(where)s: `answer` is only for true_false questions", where=where),
                    _("Mark the right option(s) with `correct: true` instead."),
                )
            options = c.sequence(question, "options", where, min_items=2) or []
            seen_options: set[str] = set()
            correct = 0
            for j, option in enumerate(options):
                ow = _("%(where)s, option %(n)d", where=where, n=j + 1)
                if not isinstance(option, LineDict):
                    c.error(
                        options.line_of(j),
                        _("%(where)s must be a mapping", where=ow),
                        _('Write {id: a, text: {ja: "…"}, correct: true}.'),
                    )
                    continue
                c.keys(option, OPTION_KEYS, ow)
                oid = _item_id(c, option, ow)
                if oid is not None:
                    if oid in seen_options:
                        c.error(
                            option.line_of("id"),
                            _("%(where)s: option id `%(id)s` is used twice", where=where, id=oid),
                            _("Give every option of a question its own id (a, b, c …)."),
                        )
                    seen_options.add(oid)
                c.text(option, "text", ow)
                if c.boolean(option, "correct", ow, default=False):
                    correct += 1
            if options and kind == "single" and correct != 1:
                c.error(
                    question.line_of("options"),
                    _(
                        "%(where)s: a single-choice question needs exactly one correct option, not %(n)d",
                        where=where,
                        n=correct,
                    ),
                    _("Mark one option `correct: true`, or make it `type: multiple`."),
                )
            if options and kind == "multiple" and correct < 1:
                c.error(
                    question.line_of("options"),
                    _(
                        "%(where)s: a multiple-choice question needs at least one correct option",
                        where=where,
                    ),
                    _("Mark the right options with `correct: true`."),
                )
    _check_core(c, data, draw, core_lines)
    return c.problems, data


def _check_core(c: Checker, data: LineDict, draw: int | None, core_lines: list[int]) -> None:
    """Every attempt holds all core questions, so there may be at most ``draw`` of them."""
    if draw is None or len(core_lines) <= draw:
        return
    lines = ", ".join(str(line) for line in core_lines)
    c.error(
        data.line_of("draw"),
        _(
            "`draw` is %(draw)d but %(n)d questions are marked `core: true` (lines %(lines)s)",
            draw=draw,
            n=len(core_lines),
            lines=lines,
        ),
        _(
            "Every attempt includes all core questions: raise `draw` to at least %(n)d or remove `core: true` from %(extra)d of them.",
            n=len(core_lines),
            extra=len(core_lines) - draw,
        ),
    )


def check(paths: list[Path], root: Path) -> list[Problem]:
    return check_each(paths, root, check_file, "quiz")


def normalised(data: LineDict) -> dict:
    """The stored definition, with the optional settings filled in."""
    definition = plain(data)
    definition.setdefault("max_attempts", 0)
    definition.setdefault("shuffle_options", True)
    definition.setdefault("draw", len(definition["questions"]))
    return definition


def sync(paths: list[Path], root: Path) -> SyncResult:
    """Load every quiz file; a changed file becomes a new version. Removed files are retired."""
    from app.quizzes.models import Quiz, QuizVersion

    return sync_versioned(
        paths,
        root,
        kind="quizzes",
        object_type="quiz",
        check_file=check_file,
        definition_of=normalised,
        fingerprint=fingerprint,
        item_model=Quiz,
        version_model=QuizVersion,
        item_key="quiz_id",
        version_fields=lambda d: {
            "pass_percent": d["pass_percent"],
            "max_attempts": d["max_attempts"],
            "draw": d["draw"],
        },
    )


KIND = ContentKind(name="quizzes", find=find, check=check, sync=sync, order=30)

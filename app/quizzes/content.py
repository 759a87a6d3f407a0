"""``quizzes/<id>.yaml``: the validator and the sync into the database.

Registered with :mod:`app.content.registry` as the ``quizzes`` kind.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.content.registry import ContentKind, Problem, SyncResult
from app.content.schema import check_each, fingerprint, plain
from app.content.spec import (
    ID,
    SLUG,
    Bool,
    Context,
    Enum,
    Field,
    Int,
    ListOf,
    Spec,
    Text,
    Unique,
    check_yaml_file,
    file_id,
    item_label,
    nested_label,
)
from app.content.versioning import sync_versioned
from app.content.yamlfile import LineDict

TYPES = ("single", "multiple", "true_false")


def find(root: Path) -> list[Path]:
    folder = root / "quizzes"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _has_options(ctx: Context, question: LineDict) -> bool:
    return ctx.value(question, "type") in ("single", "multiple")


def _is_true_false(ctx: Context, question: LineDict) -> bool:
    return ctx.value(question, "type") == "true_false"


def _check_answer_kind(ctx: Context, question: LineDict, where: str) -> None:
    """A true/false question has an answer and no options; the others the reverse."""
    if _is_true_false(ctx, question) and "options" in question:
        ctx.error(
            question.line_of("options"),
            _("%(where)s: a true_false question has no `options`", where=where),
            _("Remove `options` and give `answer: true` or `answer: false`."),
        )
    if _has_options(ctx, question) and "answer" in question:
        ctx.error(
            question.line_of("answer"),
            _("%(where)s: `answer` is only for true_false questions", where=where),
            _("Mark the right option(s) with `correct: true` instead."),
        )


def _check_correct_options(ctx: Context, question: LineDict, where: str) -> None:
    kind, options = ctx.value(question, "type"), ctx.value(question, "options")
    if not options or kind not in ("single", "multiple"):
        return
    correct = sum(1 for o in options if ctx.value(o, "correct", False))
    if kind == "single" and correct != 1:
        ctx.error(
            question.line_of("options"),
            _(
                "%(where)s: a single-choice question needs exactly one correct option, not %(n)d",
                where=where,
                n=correct,
            ),
            _("Mark one option `correct: true`, or make it `type: multiple`."),
        )
    if kind == "multiple" and correct < 1:
        ctx.error(
            question.line_of("options"),
            _(
                "%(where)s: a multiple-choice question needs at least one correct option",
                where=where,
            ),
            _("Mark the right options with `correct: true`."),
        )


def _check_draw(ctx: Context, data: LineDict, where: str) -> None:
    """``draw`` questions come from the pool, and every attempt holds all core questions."""
    draw, questions = ctx.value(data, "draw"), ctx.value(data, "questions") or []
    if draw is None:
        return
    if draw > len(questions):
        ctx.error(
            data.line_of("draw"),
            _(
                "`draw` is %(draw)d but the pool has only %(n)d questions",
                draw=draw,
                n=len(questions),
            ),
            _("Lower `draw` to %(n)d or add questions.", n=len(questions)),
        )
    core_lines = [q.line_of("core") for q in questions if ctx.value(q, "core", False)]
    if len(core_lines) <= draw:
        return
    ctx.error(
        data.line_of("draw"),
        _(
            "`draw` is %(draw)d but %(n)d questions are marked `core: true` (lines %(lines)s)",
            draw=draw,
            n=len(core_lines),
            lines=", ".join(str(line) for line in core_lines),
        ),
        _(
            "Every attempt includes all core questions: raise `draw` to at least %(n)d or remove `core: true` from %(extra)d of them.",
            n=len(core_lines),
            extra=len(core_lines) - draw,
        ),
    )


OPTION = Spec(
    {
        "id": Field(ID, required=True),
        "text": Field(Text(), required=True),
        "correct": Field(Bool(), default=False),
    },
    shape=_l('Write {id: a, text: {ja: "…"}, correct: true}.'),
)
QUESTION = Spec(
    {
        "id": Field(ID, required=True),
        "type": Field(Enum(TYPES), required=True),
        "text": Field(Text(), required=True),
        "options": Field(
            ListOf(
                OPTION,
                min_items=2,
                label=nested_label(_l("option")),
                unique=Unique("id", _l("option")),
            ),
            required=_has_options,
        ),
        "answer": Field(Bool(), required=_is_true_false),
        "explanation": Field(Text(), required=True),
        "core": Field(Bool(), default=False),
    },
    checks=(_check_answer_kind, _check_correct_options),
    shape=_l("Give it id, type, text, options (or answer) and explanation."),
)
#: ``quizzes/<id>.yaml`` (documented in quizzes/README.md)
QUIZ = Spec(
    {
        "id": Field(SLUG, required=True),
        "title": Field(Text(), required=True),
        "description": Field(Text()),
        "pass_percent": Field(Int(minimum=1, maximum=100), required=True),
        "max_attempts": Field(Int(minimum=0), default=0),
        "draw": Field(Int(minimum=1)),
        "shuffle_options": Field(Bool(), default=True),
        "questions": Field(
            ListOf(QUESTION, label=item_label(_l("question")), unique=Unique("id", _l("question"))),
            required=True,
        ),
    },
    checks=(file_id({"reports"}), _check_draw),
)


def check_file(path: Path, root: Path) -> tuple[list[Problem], LineDict | None]:
    ctx, data = check_yaml_file(path, root, QUIZ, _("the quiz"))
    return ctx.problems, data


def check(paths: list[Path], root: Path) -> list[Problem]:
    return check_each(paths, root, check_file, "quiz")


def normalised(data: LineDict) -> dict:
    """The stored definition, with the optional settings filled in."""
    definition = QUIZ.defaults() | plain(data)
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

"""Quiz operations: drawing questions, grading on the server, attempt limits and progress.

The page a learner answers on carries only question texts and option texts, with options
named by their position on the page: which option is right, and the explanations, stay on
the server until the answers are in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select

from app.content.lookups import VersionedLookups
from app.core import audit
from app.core.models import utcnow
from app.core.signals import learning_item_completed, learning_item_started, send_progress
from app.extensions import db
from app.quizzes.models import Quiz, QuizAttempt, QuizAttemptGrant, QuizVersion

KIND = "quiz"
TRUE_FALSE = ["true", "false"]


class AttemptsUsedUp(Exception):
    pass


class NotAnswered(Exception):
    """Some questions have no answer; ``missing`` holds their positions on the page."""

    def __init__(self, missing: list[int]):
        super().__init__(missing)
        self.missing = missing


# --- look-ups ----------------------------------------------------------------------------------

LOOKUPS = VersionedLookups(Quiz, QuizVersion, "quiz_id")
active_quizzes = LOOKUPS.active
get_active = LOOKUPS.get_active
get_by_slug = LOOKUPS.get_by_slug
current_version = LOOKUPS.current_version


def open_attempt(employee_id: int, quiz: Quiz) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.employee_id == employee_id,
            QuizAttempt.quiz_id == quiz.id,
            QuizAttempt.submitted_at.is_(None),
        )
        .order_by(QuizAttempt.id.desc())
    )


def submitted_attempts(employee_id: int, quiz: Quiz) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.employee_id == employee_id,
                QuizAttempt.quiz_id == quiz.id,
                QuizAttempt.submitted_at.is_not(None),
            )
            .order_by(QuizAttempt.id.desc())
        )
    )


def get_attempt(employee_id: int, attempt_id: int) -> QuizAttempt | None:
    attempt = db.session.get(QuizAttempt, attempt_id)
    return attempt if attempt is not None and attempt.employee_id == employee_id else None


@dataclass
class Allowance:
    """How many attempts a learner has on the current version: the quiz's limit plus what the
    training office granted (``allowed``), and how many remain (``left``). Both None when unlimited."""

    allowed: int | None
    left: int | None


def allowance(employee_id: int, quiz: Quiz) -> Allowance:
    """The limit counts submitted attempts on the current version: a revised quiz starts afresh,
    and so do grants, which belong to the version they were made on."""
    version = current_version(quiz)
    if not version.max_attempts:
        return Allowance(None, None)
    used = db.session.scalar(
        select(func.count(QuizAttempt.id)).where(
            QuizAttempt.employee_id == employee_id,
            QuizAttempt.version_id == version.id,
            QuizAttempt.submitted_at.is_not(None),
        )
    )
    allowed = version.max_attempts + granted_attempts(employee_id, version)
    return Allowance(allowed, max(allowed - used, 0))


def attempts_left(employee_id: int, quiz: Quiz) -> int | None:
    """Attempts the learner may still start on the current version; None when unlimited."""
    return allowance(employee_id, quiz).left


def granted_attempts(employee_id: int, version: QuizVersion) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(QuizAttemptGrant.extra_attempts), 0)).where(
            QuizAttemptGrant.employee_id == employee_id, QuizAttemptGrant.version_id == version.id
        )
    )


def progress_for(employee_id: int, slugs: list[str]) -> dict[str, float]:
    """Fraction done per quiz: 1.0 passed, 0.5 attempted, 0.0 not attempted. Unknown slugs are left out."""
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Quiz.slug, QuizAttempt.id, QuizAttempt.passed)
        .select_from(Quiz)
        .outerjoin(
            QuizAttempt, (QuizAttempt.quiz_id == Quiz.id) & (QuizAttempt.employee_id == employee_id)
        )
        .where(Quiz.slug.in_(slugs))
    )
    progress: dict[str, float] = {}
    for slug, attempt_id, was_passed in rows:
        value = 1.0 if was_passed else (0.5 if attempt_id is not None else 0.0)
        progress[slug] = max(progress.get(slug, 0.0), value)
    return progress


# --- taking a quiz -------------------------------------------------------------------------------


def _send(signal, employee_id: int, quiz: Quiz, version: QuizVersion) -> None:
    """Tell the courses, inside this transaction (before the commit)."""
    send_progress(
        signal, employee_id=employee_id, kind=KIND, slug=quiz.slug, version=version.number
    )


def draw_questions(definition: dict, rng: random.Random) -> list[dict]:
    """Draw ``draw`` questions and fix the order of their options.

    Every attempt holds all the core questions (``core: true``); the rest of ``draw`` comes at
    random from the other questions, and the core questions are mixed in among them.
    """
    pool = definition["questions"]
    count = min(int(definition["draw"]), len(pool))
    core = [q for q in pool if q.get("core")]
    if core:
        others = [q for q in pool if not q.get("core")]
        chosen = core + rng.sample(others, min(max(count - len(core), 0), len(others)))
        rng.shuffle(chosen)
    else:
        chosen = rng.sample(pool, count)
    drawn = []
    for question in chosen:
        if question["type"] == "true_false":
            options = list(TRUE_FALSE)
        else:
            options = [o["id"] for o in question["options"]]
            if definition.get("shuffle_options", True):
                rng.shuffle(options)
        drawn.append({"id": question["id"], "options": options})
    return drawn


def start(employee_id: int, quiz: Quiz, rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or start one with freshly drawn questions."""
    existing = open_attempt(employee_id, quiz)
    if existing is not None:
        return existing
    left = attempts_left(employee_id, quiz)
    if left == 0:
        raise AttemptsUsedUp
    version = current_version(quiz)
    first_on_version = (
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.employee_id == employee_id, QuizAttempt.version_id == version.id
            )
        )
        == 0
    )
    drawn = draw_questions(version.definition, rng or random.SystemRandom())
    attempt = QuizAttempt(
        employee_id=employee_id,
        quiz_id=quiz.id,
        version_id=version.id,
        drawn=drawn,
        question_count=len(drawn),
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        "quiz.started",
        "quiz_attempt",
        attempt.id,
        actor_id=employee_id,
        quiz=quiz.id,
        version=version.number,
    )
    if first_on_version:
        _send(learning_item_started, employee_id, quiz, version)
    db.session.commit()
    return attempt


def _questions_by_id(definition: dict) -> dict[str, dict]:
    return {q["id"]: q for q in definition["questions"]}


def correct_options(question: dict) -> set[str]:
    if question["type"] == "true_false":
        return {"true" if question["answer"] else "false"}
    return {o["id"] for o in question["options"] if o.get("correct")}


def passes(correct: int, total: int, pass_percent: int) -> bool:
    """The pass mark: right answers × 100 ≥ pass_percent × questions (8 of 10 passes at 80%)."""
    return correct * 100 >= pass_percent * total


def submit(attempt: QuizAttempt, selections: dict[int, list[int]]) -> QuizAttempt:
    """Grade the answers. ``selections`` maps a question's position on the page to the positions
    of the options chosen. Raises :class:`NotAnswered` (nothing saved) when a question has none.
    """
    if attempt.submitted:
        return attempt
    questions = _questions_by_id(attempt.version.definition)
    answers: dict[str, list[str]] = {}
    missing = []
    for position, drawn in enumerate(attempt.drawn):
        question = questions[drawn["id"]]
        chosen = sorted({i for i in selections.get(position, []) if 0 <= i < len(drawn["options"])})
        if not chosen or (question["type"] != "multiple" and len(chosen) != 1):
            missing.append(position)
            continue
        answers[drawn["id"]] = [drawn["options"][i] for i in chosen]
    if missing:
        raise NotAnswered(missing)
    correct = sum(
        1 for qid, chosen in answers.items() if set(chosen) == correct_options(questions[qid])
    )
    version = attempt.version
    attempt.answers = answers
    attempt.submitted_at = utcnow()
    attempt.correct_count = correct
    attempt.percent = (100 * correct) // attempt.question_count if attempt.question_count else 0
    attempt.passed = passes(correct, attempt.question_count, version.pass_percent)
    passed_before = (
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.employee_id == attempt.employee_id,
                QuizAttempt.version_id == version.id,
                QuizAttempt.passed.is_(True),
                QuizAttempt.id != attempt.id,
            )
        )
        > 0
    )
    audit.record(
        "quiz.submitted",
        "quiz_attempt",
        attempt.id,
        actor_id=attempt.employee_id,
        correct=correct,
        total=attempt.question_count,
        passed=attempt.passed,
    )
    if attempt.passed and not passed_before:
        _send(learning_item_completed, attempt.employee_id, attempt.quiz, version)
    db.session.commit()
    return attempt


# --- what the pages show -------------------------------------------------------------------------


@dataclass
class ShownQuestion:
    """A question as the answer page shows it: texts only, options by position."""

    position: int
    type: str
    text: dict
    options: list[tuple[int, dict | None]]  # (position, text); true/false options have no text


def questions_for_page(attempt: QuizAttempt) -> list[ShownQuestion]:
    questions = _questions_by_id(attempt.version.definition)
    shown = []
    for position, drawn in enumerate(attempt.drawn):
        question = questions[drawn["id"]]
        if question["type"] == "true_false":
            options = [(i, None) for i in range(2)]
        else:
            texts = {o["id"]: o["text"] for o in question["options"]}
            options = [(i, texts[oid]) for i, oid in enumerate(drawn["options"])]
        shown.append(ShownQuestion(position, question["type"], question["text"], options))
    return shown


@dataclass
class ReviewedQuestion:
    position: int
    question: dict
    options: list[tuple[str, dict | None, bool, bool]]  # (option id, text, chosen, correct)
    right: bool


def review(attempt: QuizAttempt) -> list[ReviewedQuestion]:
    """The result page: each question with the learner's answer, the right answer and the explanation."""
    questions = _questions_by_id(attempt.version.definition)
    reviewed = []
    for position, drawn in enumerate(attempt.drawn):
        question = questions[drawn["id"]]
        chosen = set((attempt.answers or {}).get(drawn["id"], []))
        right = correct_options(question)
        texts = {o["id"]: o["text"] for o in question.get("options") or []}
        options = [(oid, texts.get(oid), oid in chosen, oid in right) for oid in drawn["options"]]
        reviewed.append(ReviewedQuestion(position, question, options, chosen == right))
    return reviewed


@dataclass
class QuestionStat:
    question: dict
    asked: int
    right: int


def question_report(quiz: Quiz, version: QuizVersion) -> list[QuestionStat]:
    """Per question, how often it was answered and answered right (aggregate counts only)."""
    questions = version.definition["questions"]
    asked = {q["id"]: 0 for q in questions}
    right = {q["id"]: 0 for q in questions}
    by_id = _questions_by_id(version.definition)
    for (answers,) in db.session.execute(
        select(QuizAttempt.answers).where(
            QuizAttempt.version_id == version.id, QuizAttempt.submitted_at.is_not(None)
        )
    ):
        for qid, chosen in (answers or {}).items():
            if qid in by_id:
                asked[qid] += 1
                right[qid] += set(chosen) == correct_options(by_id[qid])
    return [QuestionStat(q, asked[q["id"]], right[q["id"]]) for q in questions]

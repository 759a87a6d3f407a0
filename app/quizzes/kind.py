"""The quiz as a learning item of a course (the assessed kind)."""

from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, TimingContext


def files(root: Path, slug: str) -> list[Path]:
    return [root / "quizzes" / f"{slug}.yaml"]


def seconds(root: Path, slug: str, context: TimingContext) -> tuple[float | None, str]:
    """The questions drawn per attempt, each given the time to read and answer it."""
    from app.courses import timing

    data = timing.load_yaml(files(root, slug)[0])
    if data is None:
        return None, timing.BASIS_UNKNOWN
    return timing.guarded(timing.quiz_seconds, data)


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.quizzes import service

    return service.progress_for(employee_id, slugs)


def completions():
    """(employee_id, slug, latest version passed) of every quiz an employee passed."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.quizzes.models import Quiz, QuizAttempt, QuizVersion

    return db.session.execute(
        select(QuizAttempt.employee_id, Quiz.slug, func.max(QuizVersion.number))
        .join(Quiz, Quiz.id == QuizAttempt.quiz_id)
        .join(QuizVersion, QuizVersion.id == QuizAttempt.version_id)
        .where(QuizAttempt.passed.is_(True))
        .group_by(QuizAttempt.employee_id, Quiz.slug)
    ).all()


KIND = LearningItemKind(
    name="quiz",
    label=_l("Quiz"),
    file_format="quizzes/<id>.yaml",
    player_endpoint="quizzes.take",
    completion=_l("passed"),
    files=files,
    seconds=seconds,
    progress=progress,
    completions=completions,
    assessment=True,
    order=30,
)

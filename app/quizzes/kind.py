"""The quiz as a learning item of a course (the assessed kind)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.content.items import LearningItemKind, passed_versions, yaml_files, yaml_seconds

files = yaml_files("quizzes")


def quiz_seconds(data: dict) -> float:
    """The questions drawn per attempt, each given the time to read and answer it."""
    from app.courses import timing

    return timing.quiz_seconds(data)


def progress(employee_id: int, slugs: list[str]) -> dict[str, float]:
    from app.quizzes import service

    return service.progress_for(employee_id, slugs)


def completions():
    """(employee_id, slug, latest version passed) of every quiz an employee passed."""
    from app.quizzes.models import Quiz, QuizAttempt, QuizVersion

    return passed_versions(Quiz, QuizVersion, QuizAttempt, QuizAttempt.quiz_id)


KIND = LearningItemKind(
    name="quiz",
    label=_l("Quiz"),
    file_format="quizzes/<id>.yaml",
    player_endpoint="quizzes.take",
    completion=_l("passed"),
    files=files,
    seconds=yaml_seconds(files, quiz_seconds),
    progress=progress,
    completions=completions,
    assessment=True,
    order=30,
)

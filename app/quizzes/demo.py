"""Demo data: the shipped quizzes, loaded from quizzes/."""

from app.scenarios.demo import sync_kinds


def load_quizzes() -> str:
    return sync_kinds(("quizzes",))

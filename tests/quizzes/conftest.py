from pathlib import Path

import pytest

from app.quizzes import content

FIXTURE_ROOT = Path(__file__).parent / "content"


@pytest.fixture
def quiz(app):
    """The practice quiz synced into the test database."""
    from app.quizzes import service

    app.config["CONTENT_ROOT"] = FIXTURE_ROOT
    content.sync(content.find(FIXTURE_ROOT), FIXTURE_ROOT)
    return service.get_active("practice-quiz")


def answer_positions(attempt, right=True) -> dict:
    """Form data answering every drawn question right (or wrong)."""
    from app.quizzes.service import correct_options

    questions = {q["id"]: q for q in attempt.version.definition["questions"]}
    data = {"attempt": str(attempt.id)}
    for position, drawn in enumerate(attempt.drawn):
        good = correct_options(questions[drawn["id"]])
        wanted = [i for i, oid in enumerate(drawn["options"]) if (oid in good) == right]
        if not right:
            wanted = wanted[:1]
        data[f"q{position}"] = [str(i) for i in wanted]
    return data

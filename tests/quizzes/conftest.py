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


def selections_for(attempt, right: bool | int = True) -> dict[int, list[int]]:
    """Positions to submit with :func:`app.quizzes.service.submit`: every drawn question right
    (``True``), every one wrong (``False``), or the first ``right`` questions right and the rest wrong."""
    from app.quizzes.service import correct_options

    questions = {q["id"]: q for q in attempt.version.definition["questions"]}
    selections = {}
    for position, drawn in enumerate(attempt.drawn):
        is_right = right if isinstance(right, bool) else position < right
        good = correct_options(questions[drawn["id"]])
        wanted = [i for i, oid in enumerate(drawn["options"]) if (oid in good) == is_right]
        selections[position] = wanted if is_right else wanted[:1]
    return selections

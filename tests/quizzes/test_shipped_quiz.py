"""The shipped quiz ``quizzes/tsunagu-basics.yaml``: its core, its pass mark, and that guessing by
position fails. Also the consent model's house rules for content: legal markers and the form's words."""

import random
import re
from pathlib import Path

import pytest

from app.quizzes import content, service
from tests.factories import make_employee
from tests.quizzes.conftest import selections_for

ROOT = Path(__file__).resolve().parents[2]
QUIZ_FILE = ROOT / "quizzes" / "tsunagu-basics.yaml"
CORE = {
    "tax-secrecy-what-was-said",
    "emergency-first",
    "consent-states",
    "without-consent",
    "duties-over-consent",
}
SIMULATED_ATTEMPTS = 3000


@pytest.fixture(scope="module")
def definition():
    problems, data = content.check_file(QUIZ_FILE, ROOT)
    assert [str(p) for p in problems if p.severity == "error"] == []
    return content.normalised(data)


def test_settings_and_core(definition):
    assert (
        definition["draw"],
        definition["pass_percent"],
        definition["max_attempts"],
        definition["shuffle_options"],
    ) == (10, 80, 3, True)
    assert {q["id"] for q in definition["questions"] if q.get("core")} == CORE
    # the pool beyond the core is large enough for the draw to vary
    assert len(definition["questions"]) - len(CORE) >= 2 * (definition["draw"] - len(CORE))


def test_every_attempt_holds_the_whole_core(definition):
    rng = random.Random(20261204)
    seen = set()
    for _ in range(2000):
        drawn = [d["id"] for d in service.draw_questions(definition, rng)]
        assert len(drawn) == 10 and len(set(drawn)) == 10
        assert set(drawn) >= CORE
        seen |= set(drawn)
    assert seen == {q["id"] for q in definition["questions"]}  # every pool question comes up


def test_true_false_answers_are_balanced(definition):
    answers = [q["answer"] for q in definition["questions"] if q["type"] == "true_false"]
    assert answers.count(True) == answers.count(False)
    assert not any(q["type"] == "true_false" for q in definition["questions"] if q.get("core"))


def _always(position: str, true_false: str):
    """A learner who answers by position alone: always the first (or last) option shown, and on
    true/false questions always ○ (or ×). On a multiple-choice question they tick that one box."""

    def answer(question: dict, shown: list[str]) -> set[str]:
        if question["type"] == "true_false":
            return {true_false}
        return {shown[0] if position == "first" else shown[-1]}

    return answer


STRATEGIES = {
    "always first, ○": _always("first", "true"),
    "always first, ×": _always("first", "false"),
    "always last, ○": _always("last", "true"),
    "always last, ×": _always("last", "false"),
}


def pass_rate(
    definition: dict, strategy, attempts: int = SIMULATED_ATTEMPTS, seed: int = 0
) -> float:
    by_id = {q["id"]: q for q in definition["questions"]}
    rng = random.Random(seed)
    passed = 0
    for _ in range(attempts):
        drawn = service.draw_questions(definition, rng)
        right = sum(
            strategy(by_id[d["id"]], d["options"]) == service.correct_options(by_id[d["id"]])
            for d in drawn
        )
        passed += service.passes(right, len(drawn), definition["pass_percent"])
    return passed / attempts


@pytest.mark.parametrize("name", STRATEGIES)
def test_answering_by_position_fails(definition, name):
    """Options are shuffled per attempt, so a fixed position is a guess: it must fail at least 80%
    of attempts (in practice it never passes)."""
    assert pass_rate(definition, STRATEGIES[name]) <= 0.20


def test_the_right_answers_pass(definition):
    def knows(question, shown):
        return service.correct_options(question)

    assert pass_rate(definition, knows, attempts=200) == 1.0


@pytest.mark.parametrize(("right", "passed"), [(10, True), (8, True), (7, False), (0, False)])
def test_pass_mark_boundary(app, right, passed):
    """80% of 10 questions: exactly 8 right passes, 7 right fails."""
    content.sync(content.find(ROOT), ROOT)
    quiz = service.get_active("tsunagu-basics")
    attempt = service.start(make_employee().id, quiz, rng=random.Random(right))
    assert attempt.question_count == 10
    service.submit(attempt, selections_for(attempt, right))
    assert (attempt.correct_count, attempt.percent, attempt.passed) == (right, right * 10, passed)


# --- house rules for content (docs/consent-model.md) -----------------------------------------


def test_legal_statements_stay_out_of_block_scalars():
    text = QUIZ_FILE.read_text(encoding="utf-8")
    assert not re.search(r":\s*[|>][-+]?\s*$", text, re.M)


def test_the_form_is_named_in_its_own_words():
    text = QUIZ_FILE.read_text(encoding="utf-8")
    for wrong in (
        "緊急度「高」",
        "「気づいたこと」",
        "「同意なし」",
        "つないでもいいでしょうか",
        "○日",
        "ここ三か月",
    ):
        assert wrong not in text
    for state in (
        "本人同意あり（書面）",
        "本人同意あり（口頭）",
        "未確認",
        "本人拒否",
        "住民を特定しない相談",
        "見たこと・聞いたこと",
        "命や安全に関わる",
        "受付済／対応中／つながりました／対応終了",
    ):
        assert state in text

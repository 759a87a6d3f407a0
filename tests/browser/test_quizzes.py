"""Taking a quiz in Chromium: to a pass and to a fail, an unanswered question, axe on each page."""

import pytest
from sqlalchemy import select

from app.quizzes import service
from app.quizzes.models import QuizAttempt
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_scenarios import click_and_wait
from tests.factories import PASSWORD, make_employee
from tests.quizzes.conftest import FIXTURE_ROOT


@pytest.fixture
def quiz(app):
    from app.quizzes import content

    app.config["CONTENT_ROOT"] = FIXTURE_ROOT
    content.sync(content.find(FIXTURE_ROOT), FIXTURE_ROOT)
    return service.get_active("practice-quiz")


def _open_attempt(db):
    db.session.expire_all()
    return db.session.scalars(select(QuizAttempt).where(QuizAttempt.submitted_at.is_(None))).first()


def _answer(page, attempt, right: bool, skip: int | None = None):
    questions = {q["id"]: q for q in attempt.version.definition["questions"]}
    for position, drawn in enumerate(attempt.drawn):
        if position == skip:
            continue
        good = service.correct_options(questions[drawn["id"]])
        indexes = [i for i, oid in enumerate(drawn["options"]) if (oid in good) == right]
        for i in indexes if right else indexes[:1]:
            page.locator(f"#q{position}-{i}").check()


def test_take_a_quiz_to_a_fail_then_a_pass(page, quiz, db):
    sign_in(page, make_employee(), PASSWORD)
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="確認クイズ").click()
    page.wait_for_url("**/quizzes/")
    assert_accessible(page, "quiz list")
    page.get_by_role("link", name="練習クイズ").click()
    page.wait_for_url("**/quizzes/practice-quiz")
    assert_accessible(page, "quiz intro")
    click_and_wait(page, page.get_by_role("button", name="クイズをはじめる"))
    assert page.locator("fieldset.question").count() == 3
    source = page.content()
    for question in quiz.versions[0].definition["questions"]:
        assert question["explanation"]["ja"] not in source
    assert "correct" not in source.lower()
    assert_accessible(page, "quiz questions")

    attempt = _open_attempt(db)
    _answer(page, attempt, right=True, skip=1)
    click_and_wait(page, page.get_by_role("button", name="回答を送信する"))
    summary = page.get_by_role("alert")
    assert "問2 に回答がありません" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator("#q0-0, #q0-1, #q0-2").evaluate_all("els => els.some(e => e.checked)")
    assert_accessible(page, "quiz with an unanswered question")

    page.locator("input:checked").evaluate_all("els => els.forEach(e => { e.checked = false; })")
    _answer(page, attempt, right=False)
    page.get_by_role("button", name="回答を送信する").click()
    page.wait_for_url("**/results/*")
    assert page.get_by_role("heading", name="不合格").is_visible()
    assert "3 問中 0 問正解" in page.locator(".verdict").inner_text()
    assert page.get_by_text("解説：").first.is_visible()
    assert_accessible(page, "quiz result (fail)")

    click_and_wait(page, page.get_by_role("button", name="もう一度受験する"))
    attempt = _open_attempt(db)
    _answer(page, attempt, right=True)
    page.get_by_role("button", name="回答を送信する").click()
    page.wait_for_url("**/results/*")
    assert page.get_by_role("heading", name="合格", exact=True).is_visible()
    assert "3 問中 3 問正解" in page.locator(".verdict").inner_text()
    assert_accessible(page, "quiz result (pass)")
    page.goto("/quizzes/practice-quiz")
    assert "受験できる回数をすべて使いました" in page.locator("main").inner_text()

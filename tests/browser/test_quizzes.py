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


def test_training_admin_grants_an_extra_attempt(page, quiz, db):
    import random

    from app.core.permissions import Role
    from tests.browser.test_referrals import sign_out
    from tests.factories import make_department
    from tests.quizzes.conftest import selections_for

    learner = make_employee(name="越前 一郎", department=make_department(name_ja="上下水道課"))
    for seed in range(2):
        attempt = service.start(learner.id, quiz, rng=random.Random(seed))
        service.submit(attempt, selections_for(attempt, right=False))
    admin = make_employee(roles=[Role.TRAINING_ADMIN])

    sign_in(page, admin, PASSWORD)
    page.get_by_role("navigation", name="メイン").get_by_role(
        "link", name="クイズの受験回数の追加"
    ).click()
    page.wait_for_url("**/quizzes/reports/locked-out")
    assert_accessible(page, "extra attempts overview")
    page.get_by_role("link", name="練習クイズ").click()
    page.wait_for_url("**/quizzes/reports/locked-out/practice-quiz")
    row = page.get_by_role("row").filter(has_text="越前 一郎")
    assert "上下水道課" in row.inner_text() and "3 問中 0 問正解" in row.inner_text()
    assert_accessible(page, "locked-out list")

    row.get_by_label("追加する回数").fill("1")
    row.get_by_label("理由").fill("送信の途中で端末が止まったため")
    click_and_wait(page, row.get_by_role("button", name="追加する"))
    assert "越前 一郎 さんに受験回数を 1 回追加しました" in page.get_by_role("status").inner_text()
    assert "このクイズで受験できなくなっている職員はいません。" in page.locator("main").inner_text()
    assert_accessible(page, "locked-out list after the grant")
    db.session.expire_all()
    assert service.attempts_left(learner.id, quiz) == 1

    sign_out(page)
    sign_in(page, learner, PASSWORD)
    page.goto("/quizzes/practice-quiz")
    assert "3 回中、残り 1 回" in page.locator("main").inner_text()
    click_and_wait(page, page.get_by_role("button", name="もう一度受験する"))
    assert page.locator("fieldset.question").count() == 3

"""A finished item reaches its course in the same transaction, or nothing is recorded at all;
``flask courses reconcile`` repairs a gap left by anything else."""

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.models import AuditEvent
from app.core.signals import ProgressNotRecorded, learning_item_completed
from app.courses import receivers
from app.courses.models import Assignment, AssignmentStatus, Course, ItemProgress
from app.extensions import db as _db
from app.quizzes import content as quiz_content
from app.quizzes import service as quizzes
from app.quizzes.models import QuizAttempt
from app.scenarios import content as scenario_content
from app.scenarios import service as scenarios
from app.scenarios.models import AttemptStatus, ScenarioAttempt
from tests.courses.support import content_root, sync, write_course
from tests.factories import login, make_employee
from tests.quizzes.conftest import answer_positions, selections_for
from tests.scenarios.test_honest_assessment import CRITICAL_SCENARIO

QUIZ_FILE = (
    Path(__file__).resolve().parents[1] / "quizzes" / "content" / "quizzes" / "practice-quiz.yaml"
)


@pytest.fixture
def course(app, db, tmp_path):
    """A required course of one quiz (practice-quiz) and a one-step role-play (critical-test)."""
    learner = make_employee()
    root = content_root(tmp_path, shipped=False)
    shutil.copy(QUIZ_FILE, root / "quizzes" / "practice-quiz.yaml")
    (root / "scenarios" / "critical-test.yaml").write_text(CRITICAL_SCENARIO, encoding="utf-8")
    write_course(
        root,
        "desk-basics",
        'title: {ja: "窓口の基本"}\nitems:\n  - quiz: practice-quiz\n'
        '  - scenario: critical-test\nobjectives: [{ja: "目標"}]\nrequired_for: {all_staff: true}\n',
    )
    app.config["CONTENT_ROOT"] = root
    quiz_content.sync(quiz_content.find(root), root)
    scenario_content.sync(scenario_content.find(root), root)
    sync(app, root)
    course = db.session.scalar(select(Course).where(Course.slug == "desk-basics"))
    return learner, course


@contextmanager
def courses_fail():
    """A receiver that fails after the courses' own receiver has already written its rows."""

    def broken(sender, **kwargs):
        raise RuntimeError("the course tables are unavailable")

    learning_item_completed.connect(broken)
    try:
        yield
    finally:
        learning_item_completed.disconnect(broken)


@contextmanager
def courses_not_listening():
    """Completions recorded before the rule, or a restore of one area's tables: a gap."""
    learning_item_completed.disconnect(receivers.on_item_completed)
    try:
        yield
    finally:
        learning_item_completed.connect(receivers.on_item_completed)


def fresh(db):
    db.session.rollback()
    db.session.expire_all()


def item_progress(db, learner, kind):
    return db.session.scalar(
        select(ItemProgress).where(
            ItemProgress.employee_id == learner.id, ItemProgress.kind == kind
        )
    )


def assignment(db, learner, course):
    return db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == learner.id, Assignment.course_id == course.id
        )
    )


def test_a_failing_receiver_rolls_back_the_whole_quiz_submission(client, db, course):
    learner, the_course = course
    login(client, learner)
    client.post("/quizzes/practice-quiz/start")
    attempt = db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.employee_id == learner.id)
    ).one()

    with courses_fail():
        response = client.post(
            "/quizzes/practice-quiz/submit", data=answer_positions(attempt, right=True)
        )
        as_json = client.post(
            "/quizzes/practice-quiz/submit",
            data=answer_positions(attempt, right=True),
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "学習の記録を保存できませんでした" in page and "これまでの記録はそのままです" in page
    assert as_json.status_code == 503 and as_json.get_json()["error"] == "progress_not_recorded"

    fresh(db)
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.submitted_at is None and attempt.passed is None  # the quiz area kept nothing
    assert item_progress(db, learner, "quiz").completed_at is None  # nor the courses (started only)
    assert assignment(db, learner, the_course).status != AssignmentStatus.COMPLETED
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "quiz.submitted")) is None
    )

    response = client.post(
        "/quizzes/practice-quiz/submit", data=answer_positions(attempt, right=True)
    )
    assert response.status_code == 302  # the learner simply tries again
    fresh(db)
    assert db.session.get(QuizAttempt, attempt.id).passed is True
    assert item_progress(db, learner, "quiz").completed_version == 1
    assert assignment(db, learner, the_course).progress == 0.5


def test_a_failing_receiver_leaves_the_role_play_unfinished(app, db, course):
    learner, the_course = course
    scenario = scenarios.get_active("critical-test")
    attempt = scenarios.start(learner.id, scenario)
    with courses_fail(), pytest.raises(ProgressNotRecorded):
        scenarios.choose(attempt, "refused", 0, 0)
    fresh(db)
    attempt = db.session.get(ScenarioAttempt, attempt.id)
    assert (
        attempt.status == AttemptStatus.IN_PROGRESS
        and attempt.passed is None
        and attempt.active_choices == []
    )
    assert item_progress(db, learner, "scenario").completed_at is None  # started, never completed

    scenarios.choose(attempt, "refused", 0, 0)
    fresh(db)
    assert item_progress(db, learner, "scenario").completed_version == 1
    assert assignment(db, learner, the_course).progress == 0.5


def test_reconcile_records_completions_the_courses_missed(app, db, course):
    learner, the_course = course
    with courses_not_listening():
        attempt = quizzes.start(learner.id, quizzes.get_active("practice-quiz"))
        quizzes.submit(attempt, selections_for(attempt, True))
        role_play = scenarios.start(learner.id, scenarios.get_active("critical-test"))
        scenarios.choose(role_play, "refused", 0, 0)
    fresh(db)
    assert assignment(db, learner, the_course).status != AssignmentStatus.COMPLETED  # the gap

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["courses", "reconcile", "--dry-run"])
    assert dry.exit_code == 0 and "2 件がコースに記録されていません" in dry.output
    fresh(db)
    assert (
        assignment(db, learner, the_course).status != AssignmentStatus.COMPLETED
    )  # a dry run changes nothing

    done = runner.invoke(args=["courses", "reconcile"])
    assert done.exit_code == 0 and "未記録だった 2 件を記録しました" in done.output, done.output
    fresh(db)
    row = assignment(db, learner, the_course)
    assert row.status == AssignmentStatus.COMPLETED and row.progress == 1.0
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "courses.reconciled")
    ).detail == {"checked": 2, "quiz": 1, "scenario": 1}

    again = runner.invoke(args=["courses", "reconcile"])
    assert "未記録だった 0 件を記録しました" in again.output  # idempotent


def test_reconcile_records_a_newer_version_passed(app, db, course):
    learner, _course = course
    quizzes.submit(
        attempt := quizzes.start(learner.id, quizzes.get_active("practice-quiz")),
        selections_for(attempt, True),
    )
    progress = item_progress(db, learner, "quiz")
    progress.completed_version = 0  # the courses only knew of an older version
    _db.session.commit()
    from app.courses import service

    assert service.reconcile().repaired == {"quiz": 1}
    fresh(db)
    assert item_progress(db, learner, "quiz").completed_version == 1

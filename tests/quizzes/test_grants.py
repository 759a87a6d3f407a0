"""Extra attempts: the locked-out list, the training office's grant, and what the learner sees."""

import random
import shutil

import pytest
from sqlalchemy import func, select

from app.core.models import AuditEvent
from app.core.permissions import Role
from app.quizzes import content, grants, service
from app.quizzes.models import QuizAttemptGrant
from tests.conftest import build_app, empty_all_tables
from tests.factories import PASSWORD, login, make_department, make_employee
from tests.quizzes.conftest import FIXTURE_ROOT, selections_for

URL = "/quizzes/reports/locked-out/practice-quiz"


def _take(learner, quiz, right: bool, seed: int = 0):
    """One submitted attempt, all answers right or all wrong."""
    attempt = service.start(learner.id, quiz, rng=random.Random(seed))
    return service.submit(attempt, selections_for(attempt, right))


def _lock_out(learner, quiz):
    for seed in range(2):  # the practice quiz allows two attempts
        _take(learner, quiz, right=False, seed=seed)
    assert service.attempts_left(learner.id, quiz) == 0


def _hr(client):
    admin = make_employee(roles=[Role.TRAINING_ADMIN])
    login(client, admin)
    return admin


def _grant_rows(db):
    return db.session.scalar(select(func.count(QuizAttemptGrant.id)))


def _grant_events(db):
    return db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "quiz.attempts_granted")
    )


def test_locked_out_learner_is_granted_attempts_and_can_start_again(client, quiz, db):
    learner = make_employee(name="福井 花子")
    _lock_out(learner, quiz)
    with pytest.raises(service.AttemptsUsedUp):
        service.start(learner.id, quiz)
    learner_client = client.application.test_client()
    login(learner_client, learner)
    page = learner_client.get("/quizzes/practice-quiz").get_data(as_text=True)
    assert "研修担当に受験回数の追加を相談してください" in page
    assert "クイズをはじめる" not in page and "もう一度受験する" not in page

    admin = _hr(client)
    response = client.post(
        URL,
        data={
            "employee": learner.id,
            "extra_attempts": 2,
            "reason": "異動直後で研修時間が取れなかったため",
        },
    )
    assert response.status_code == 302
    assert "福井 花子 さんに受験回数を 2 回追加しました" in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    assert service.attempts_left(learner.id, quiz) == 2
    assert service.allowance(learner.id, quiz) == service.Allowance(allowed=4, left=2)
    page = learner_client.get("/quizzes/practice-quiz").get_data(as_text=True)
    assert "4 回中、残り 2 回" in page and "もう一度受験する" in page
    assert learner_client.post("/quizzes/practice-quiz/start").status_code == 302
    attempt = service.open_attempt(learner.id, quiz)
    assert attempt is not None
    service.submit(attempt, selections_for(attempt, right=False))
    assert service.attempts_left(learner.id, quiz) == 1
    _take(learner, quiz, right=False, seed=5)
    assert service.attempts_left(learner.id, quiz) == 0
    # locked out again, and back on the training office's list
    assert [r.employee.id for r in grants.locked_out(service.current_version(quiz)).items] == [
        learner.id
    ]
    # the grant is on the current version, by the training admin, with the reason
    grant = db.session.scalars(select(QuizAttemptGrant)).one()
    assert (grant.employee_id, grant.quiz_id, grant.extra_attempts, grant.granted_by_id) == (
        learner.id,
        quiz.id,
        2,
        admin.id,
    )
    assert grant.reason == "異動直後で研修時間が取れなかったため"
    assert grant.version_id == service.current_version(quiz).id


def test_the_grant_is_audit_logged_with_ids_and_the_count(client, quiz, db):
    learner = make_employee()
    _lock_out(learner, quiz)
    admin = _hr(client)
    client.post(
        URL,
        data={
            "employee": learner.id,
            "extra_attempts": 1,
            "reason": "  システム障害で送信できなかったため ",
        },
    )
    grant = db.session.scalars(select(QuizAttemptGrant)).one()
    assert grant.reason == "システム障害で送信できなかったため"  # trimmed
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "quiz.attempts_granted")
    ).one()
    assert (event.actor_id, event.object_type, event.object_id) == (
        admin.id,
        "quiz_attempt_grant",
        str(grant.id),
    )
    assert event.detail == {
        "employee": learner.id,
        "quiz": quiz.id,
        "version": 1,
        "extra_attempts": 1,
    }
    # the audit log holds ids and codes only: the free-text reason stays on the grant it points at
    assert "システム障害" not in str(event.detail)


def test_the_training_office_sees_the_grants_it_made_with_their_reasons(client, quiz, db):
    first, second = make_employee(name="福井 一郎"), make_employee(name="福井 二郎")
    for learner in (first, second):
        _lock_out(learner, quiz)
    admin = _hr(client)
    assert "受験回数を追加した記録はありません" in client.get(URL).get_data(as_text=True)
    client.post(
        URL,
        data={"employee": first.id, "extra_attempts": 1, "reason": "療養のため受講できなかった"},
    )
    client.post(URL, data={"employee": second.id, "extra_attempts": 2, "reason": "異動直後のため"})
    page = client.get(URL).get_data(as_text=True)
    listed = page.split('id="recent-grants"')[1]
    assert listed.index("福井 二郎") < listed.index("福井 一郎")  # newest first
    assert (
        "療養のため受講できなかった" in listed
        and "異動直後のため" in listed
        and admin.name in listed
    )
    assert [g.extra_attempts for g in grants.recent_grants(quiz)] == [2, 1]
    assert len(grants.recent_grants(quiz, limit=1)) == 1  # bounded


def test_a_grant_cannot_be_changed_afterwards(app, quiz, db):
    learner, admin = make_employee(), make_employee(roles=[Role.TRAINING_ADMIN])
    _lock_out(learner, quiz)
    grant = grants.grant_attempts(admin.id, quiz, learner.id, 1, "理由")
    db.session.commit()
    grant.extra_attempts = 5
    with pytest.raises(RuntimeError):
        db.session.commit()
    db.session.rollback()


def test_the_list_shows_exactly_the_locked_out_employees(client, quiz, db, tmp_path):
    # F is locked out of version 1 only: a revised quiz starts everyone afresh
    root = tmp_path / "root"
    shutil.copytree(FIXTURE_ROOT, root)
    content.sync(content.find(root), root)
    old_version_only = make_employee(name="旧版 だけ")
    _lock_out(old_version_only, quiz)
    path = root / "quizzes" / "practice-quiz.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("練習クイズ", "練習クイズ（改訂）"),
        encoding="utf-8",
    )
    content.sync(content.find(root), root)
    db.session.expire_all()
    assert quiz.current_number == 2

    tax = make_department(name_ja="税務課")
    locked = make_employee(name="締出 一郎", department=tax, staff_number="100001")
    _lock_out(locked, quiz)
    one_left = make_employee(name="残り 一回")
    _take(one_left, quiz, right=False)
    passed_last = make_employee(name="最後に 合格")
    _take(passed_last, quiz, right=False)
    _take(passed_last, quiz, right=True)
    retired = make_employee(name="退職 済み")
    _lock_out(retired, quiz)
    retired.active = False
    granted = make_employee(name="追加 済み")
    _lock_out(granted, quiz)
    admin = _hr(client)
    grants.grant_attempts(admin.id, quiz, granted.id, 1, "理由")
    db.session.commit()

    version = service.current_version(quiz)
    page = grants.locked_out(version)
    assert [row.employee.id for row in page.items] == [locked.id]
    assert grants.count_locked_out(version) == 1
    row = page.items[0]
    assert (row.used, row.allowed, row.last_correct, row.last_total, row.department.name_ja) == (
        2,
        2,
        0,
        3,
        "税務課",
    )

    html = client.get(URL).get_data(as_text=True)
    assert (
        "締出 一郎" in html
        and "100001" in html
        and "税務課" in html
        and "2 回中 2 回" in html
        and "3 問中 0 問正解（0%）" in html
    )
    locked_out_table = html.split('id="recent-grants-title"')[
        0
    ]  # granted people are listed below, as grants
    for name in ("旧版 だけ", "残り 一回", "最後に 合格", "退職 済み", "追加 済み"):
        assert name not in locked_out_table
    overview = client.get("/quizzes/reports/locked-out").get_data(as_text=True)
    assert "練習クイズ（改訂）" in overview and '<td class="num">1</td>' in overview


def test_the_list_is_paged(app, quiz, db):
    people = [make_employee(staff_number=f"2000{i}") for i in range(3)]
    for person in people:
        _lock_out(person, quiz)
    version = service.current_version(quiz)
    first = grants.locked_out(version, page=1, per_page=2)
    second = grants.locked_out(version, page=2, per_page=2)
    assert (first.total, first.pages, first.has_next, second.has_prev, second.has_next) == (
        3,
        2,
        True,
        True,
        False,
    )
    assert [r.employee.staff_number for r in first.items + second.items] == [
        "20000",
        "20001",
        "20002",
    ]
    assert grants.locked_out(version, page=99, per_page=2).page == 2  # past the end: the last page


def test_the_list_takes_the_same_statements_whatever_its_length(app, quiz, db):
    from sqlalchemy import event

    from app.extensions import db as _db

    for _ in range(12):
        _lock_out(make_employee(), quiz)
    version = service.current_version(quiz)
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(_db.engine, "before_cursor_execute", count)
    try:
        page = grants.locked_out(version)
        _ = [(r.employee.name, r.department.name_ja) for r in page.items]
    finally:
        event.remove(_db.engine, "before_cursor_execute", count)
    assert len(page.items) == 12
    # the count, the page, and the page's roles (Employee loads them with selectin)
    assert len(statements) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"employee": "999999", "extra_attempts": "1", "reason": "理由"},
            "その職員が見つかりません",
        ),
        ({"employee": "abc", "extra_attempts": "1", "reason": "理由"}, "一覧から選んでください"),
        ({"extra_attempts": "1", "reason": "理由"}, "一覧から選んでください"),
        (
            {"employee": "{locked}", "extra_attempts": "0", "reason": "理由"},
            "1 から 5 までの数で入力してください",
        ),
        (
            {"employee": "{locked}", "extra_attempts": "-3", "reason": "理由"},
            "1 から 5 までの数で入力してください",
        ),
        (
            {"employee": "{locked}", "extra_attempts": "1000000000000", "reason": "理由"},
            "1 から 5 までの数で入力してください",
        ),
        (
            {"employee": "{locked}", "extra_attempts": "", "reason": "理由"},
            "1 から 5 までの数で入力してください",
        ),
        ({"employee": "{locked}", "extra_attempts": "1", "reason": ""}, "理由を入力してください"),
        (
            {"employee": "{locked}", "extra_attempts": "1", "reason": "　 "},
            "理由を入力してください",
        ),
        ({"employee": "{locked}", "extra_attempts": "1", "reason": "長" * 501}, "500 文字以内"),
        (
            {"employee": "{one_left}", "extra_attempts": "1", "reason": "理由"},
            "追加の対象ではありません",
        ),
        (
            {"employee": "{passed}", "extra_attempts": "1", "reason": "理由"},
            "追加の対象ではありません",
        ),
        (
            {"employee": "{admin}", "extra_attempts": "1", "reason": "理由"},
            "追加の対象ではありません",
        ),
    ],
    ids=[
        "unknown employee",
        "forged employee",
        "no employee",
        "zero",
        "negative",
        "huge",
        "no count",
        "empty reason",
        "blank reason",
        "long reason",
        "attempts left",
        "passed",
        "never attempted",
    ],
)
def test_invalid_grants_are_refused_and_change_nothing(client, quiz, db, data, message):
    locked, one_left, passed = make_employee(), make_employee(), make_employee()
    _lock_out(locked, quiz)
    _take(one_left, quiz, right=False)
    _take(passed, quiz, right=True)
    admin = _hr(client)
    ids = {"locked": locked.id, "one_left": one_left.id, "passed": passed.id, "admin": admin.id}
    form = {k: v.format(**ids) for k, v in data.items()}
    response = client.post(URL, data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "受験回数は追加されていません" in html and message in html
    assert _grant_rows(db) == 0 and _grant_events(db) == 0
    db.session.expire_all()
    assert [service.attempts_left(p.id, quiz) for p in (locked, one_left, passed)] == [0, 1, 1]


def test_a_refused_grant_keeps_what_was_typed_in_its_row(client, quiz, db):
    locked = make_employee()
    _lock_out(locked, quiz)
    _hr(client)
    html = client.post(
        URL, data={"employee": locked.id, "extra_attempts": "2", "reason": ""}
    ).get_data(as_text=True)
    assert f'id="grant-{locked.id}-count"' in html
    row = html[html.index(f'id="grant-{locked.id}-count"') :]
    assert 'value="2"' in row[:300]
    assert 'aria-invalid="true"' in row[row.index(f'id="grant-{locked.id}-reason"') :][:300]


def test_a_grant_without_the_csrf_token_is_refused(database_url, instance_dir):
    app = build_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    try:
        with app.app_context():
            content.sync(content.find(FIXTURE_ROOT), FIXTURE_ROOT)
            quiz = service.get_active("practice-quiz")
            learner, admin = make_employee(), make_employee(roles=[Role.TRAINING_ADMIN])
            _lock_out(learner, quiz)
            learner_id, number = learner.id, admin.staff_number
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        from tests.factories import csrf_token_from

        client.post(
            "/login",
            data={"login": number, "password": PASSWORD, "csrf_token": csrf_token_from(login_page)},
        )
        response = client.post(
            URL, data={"employee": learner_id, "extra_attempts": 1, "reason": "理由"}
        )
        assert response.status_code == 400
        assert "有効期限" in response.get_data(as_text=True)
        with app.app_context():
            from app.extensions import db

            assert _grant_rows(db) == 0 and _grant_events(db) == 0
    finally:
        empty_all_tables(app)


def test_the_training_admin_finds_the_page_from_the_navigation_and_the_report(client, quiz):
    _hr(client)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/quizzes/reports/locked-out"' in home
    assert 'href="/quizzes/reports/locked-out"' in client.get("/quizzes/reports").get_data(
        as_text=True
    )
    learner = client.application.test_client()
    login(learner, make_employee())
    assert "/quizzes/reports/locked-out" not in learner.get("/").get_data(as_text=True)
    content_admin = client.application.test_client()
    login(content_admin, make_employee(roles=[Role.CONTENT_ADMIN]))
    assert "/quizzes/reports/locked-out" not in content_admin.get("/quizzes/reports").get_data(
        as_text=True
    )

"""The learner's home panel, course pages, readings, certificates and the admin page."""

from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.core.models import AuditEvent
from app.core.permissions import Role
from app.courses import service
from app.courses.models import Assignment, Course
from tests.courses.support import complete, complete_course, content_root, sync
from tests.factories import login, make_department, make_employee


def setup_learner(app, db, tmp_path, department=None):
    department = department or make_department(code="1020", name_ja="人事課")
    learner = make_employee(department=department, name="研修 花子")
    sync(app, content_root(tmp_path))
    return learner


def starter(db):
    return db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))


def test_home_shows_required_course_with_due_date_progress_and_continue(app, db, client, tmp_path):
    learner = setup_learner(app, db, tmp_path)
    login(client, learner)
    html = client.get("/").get_data(as_text=True)
    assert "必修研修" in html
    assert "全職員研修　気づいて、つなぐ" in html
    due = clock.today() + timedelta(days=90)
    assert f"{due.year}年{due.month}月{due.day}日" in html
    assert '<progress id="progress-all-staff-tsunagu" max="100" value="0">' in html
    # Continue where I left off: the first reading (videos etc. are not on this branch).
    assert 'href="/courses/all-staff-tsunagu/reading/why-every-desk"' in html
    assert "style=" not in html


def test_item_links_follow_the_areas_present(app, db, client, tmp_path):
    learner = setup_learner(app, db, tmp_path)
    login(client, learner)
    html = client.get("/courses/all-staff-tsunagu").get_data(as_text=True)
    assert 'href="/scenarios/tax-desk-8050"' in html
    assert 'href="/quizzes/tsunagu-basics"' in html
    # an area that is not installed lists its items without a link
    app.view_functions.pop("scenarios.play")
    html = client.get("/courses/all-staff-tsunagu").get_data(as_text=True)
    assert "題 tax-desk-8050" in html and 'href="/scenarios/tax-desk-8050"' not in html
    assert "準備中" in html


def test_overdue_first_with_notice(app, db, client, tmp_path):
    tax = make_department(code="1040", name_ja="税務課")
    learner = setup_learner(app, db, tmp_path, department=tax)
    desk = db.session.scalar(
        select(Assignment)
        .join(Course)
        .where(Assignment.employee_id == learner.id, Course.slug == "desk-tax-insurance")
    )
    desk.due_on = clock.today() - timedelta(days=3)
    db.session.commit()
    login(client, learner)
    html = client.get("/").get_data(as_text=True)
    assert "期限を過ぎた必修研修が1件あります" in html
    assert html.index("窓口編　税務課") < html.index("全職員研修　気づいて、つなぐ")
    assert "期限超過" in html


def test_reading_marks_done_and_moves_on(app, db, client, tmp_path):
    learner = setup_learner(app, db, tmp_path)
    login(client, learner)
    page = client.get("/courses/all-staff-tsunagu/reading/why-every-desk")
    html = page.get_data(as_text=True)
    assert (
        page.status_code == 200
        and "気づいて、つなぐ ― どの窓口にもできること" in html
        and "読みました" in html
    )
    response = client.post("/courses/all-staff-tsunagu/reading/why-every-desk/done")
    assert response.status_code == 302
    assignment = db.session.scalar(
        select(Assignment)
        .join(Course)
        .where(Assignment.employee_id == learner.id, Course.slug == "all-staff-tsunagu")
    )
    assert (
        assignment.progress > 0
        and assignment.last_item == "reading:all-staff-tsunagu/why-every-desk"
    )
    assert client.get("/courses/all-staff-tsunagu/reading/nope").status_code == 404
    assert client.post("/courses/no-course/reading/why-every-desk/done").status_code == 404


def test_completed_course_and_certificate(app, db, client, tmp_path):
    learner = setup_learner(app, db, tmp_path)
    login(client, learner)
    assert client.get("/courses/all-staff-tsunagu/certificate").status_code == 404
    complete_course(app, learner, starter(db))
    html = client.get("/").get_data(as_text=True)
    assert "修了した研修" in html and "修了証" in html
    certificate = client.get("/courses/all-staff-tsunagu/certificate")
    text = certificate.get_data(as_text=True)
    assert certificate.status_code == 200
    assert "修了証" in text and "研修 花子" in text and "全職員研修　気づいて、つなぐ" in text
    assert "css/courses.css" in text and "js/courses-print.js" in text and "<script>" not in text
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "course.certificate_printed")
        )
        is not None
    )


def test_course_page_shows_states(app, db, client, tmp_path):
    learner = setup_learner(app, db, tmp_path)
    complete(app, learner, "quiz", "tsunagu-basics")
    login(client, learner)
    html = client.get("/courses/all-staff-tsunagu").get_data(as_text=True)
    assert "修了" in html and "未着手" in html
    assert client.get("/courses/no-such-course").status_code == 404


def test_assignment_page_for_hr_only(app, db, client, tmp_path):
    hr = make_department(code="1020", name_ja="人事課")
    admin = make_employee(department=hr, roles=[Role.TRAINING_ADMIN])
    learner = setup_learner(app, db, tmp_path, department=hr)
    login(client, learner)
    assert client.get("/courses/admin/assignments").status_code == 403
    client.post("/logout")
    login(client, admin)
    html = client.get("/courses/admin/assignments").get_data(as_text=True)
    assert "全職員" in html and "全職員研修　気づいて、つなぐ" in html
    newcomer = make_employee(department=hr)
    response = client.post("/courses/admin/assignments", follow_redirects=True)
    assert "新たに割り当て 1件" in response.get_data(as_text=True)
    assert (
        db.session.scalar(select(Assignment).where(Assignment.employee_id == newcomer.id))
        is not None
    )
    assert service.assignment_overview()[0].required == 3


def test_home_runs_the_same_queries_whatever_the_number_of_courses(app, db, client, tmp_path):
    from sqlalchemy import event

    from app.extensions import db as _db

    hr = make_department(code="1020", name_ja="人事課")
    learner = make_employee(department=hr)
    root = content_root(tmp_path)
    sync(app, root)
    login(client, learner)

    def count() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/").status_code == 200
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = count()
    from tests.courses.support import write_course

    for n in range(5):
        write_course(
            root,
            f"extra-{n}",
            f'title: {{ja: "追加{n}"}}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{{ja: "目標"}}]\nrequired_for: {{all_staff: true}}\n',
        )
    sync(app, root)
    assert count() == before

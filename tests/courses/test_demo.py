"""The demo loader: the starter course assigned to all demo staff, demo history only for the
generated employees, nothing loaded when course files have errors."""

from sqlalchemy import func, select

from app.accounts import demo as accounts_demo
from app.accounts.models import Employee
from app.courses import demo
from app.courses.models import Assignment, AssignmentStatus, Course, CourseCompletion
from tests.courses.support import content_root


def test_demo_assigns_the_starter_course_to_everyone_and_seeds_history(app, db, tmp_path):
    accounts_demo.load()
    app.config["CONTENT_ROOT"] = content_root(tmp_path)
    message = demo.load_demo()
    assert "研修：新規 5件" in message
    starter = db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    staff = db.session.scalar(
        select(func.count()).select_from(Employee).where(Employee.active.is_(True))
    )
    assigned = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.course_id == starter.id, Assignment.required.is_(True))
    )
    assert assigned == staff
    completed = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.course_id == starter.id, Assignment.status == AssignmentStatus.COMPLETED)
    )
    assert 0.2 * staff < completed < 0.9 * staff
    # The demo accounts start with a clean slate.
    demo_numbers = [number for number, *_ in accounts_demo.DEMO_ACCOUNTS]
    theirs = db.session.scalars(
        select(Assignment.status)
        .join(Employee, Employee.id == Assignment.employee_id)
        .where(Employee.staff_number.in_(demo_numbers))
    ).all()
    assert set(theirs) == {"not_started"}
    # Loading again changes nothing.
    before = db.session.scalar(select(func.count()).select_from(CourseCompletion))
    assert "新規 0件" in demo.load_demo()
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == before


def test_demo_loads_nothing_when_course_files_have_errors(app, db, tmp_path):
    root = content_root(tmp_path)
    (root / "quizzes" / "tsunagu-basics.yaml").unlink()
    app.config["CONTENT_ROOT"] = root
    assert "読み込めませんでした" in demo.load_demo()
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0

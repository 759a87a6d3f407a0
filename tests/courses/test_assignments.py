"""Assignment rules, progress from the other areas' signals, transfers and recertification."""

from datetime import date, timedelta

from sqlalchemy import func, select

from app.accounts import roster
from app.accounts import service as accounts_service
from app.core import clock
from app.core.models import AuditEvent
from app.core.permissions import Role
from app.courses import service
from app.courses.models import Assignment, AssignmentStatus, Course, CourseCompletion
from tests.courses.support import complete, complete_course, content_root, start, sync, write_course
from tests.factories import make_department, make_employee

ALL_STAFF = "all-staff-tsunagu"
DESK = "desk-tax-insurance"  # 税務課・保険年金課


def org():
    general = make_department(code="1000", name_ja="総務部")
    tax = make_department(code="1040", name_ja="税務課", parent=general)
    hr = make_department(code="1020", name_ja="人事課", parent=general)
    welfare = make_department(code="3000", name_ja="健康福祉部")
    office = make_department(code="3050", name_ja="福祉まるごと相談室", parent=welfare)
    return general, tax, hr, welfare, office


def row(db, employee, slug) -> Assignment | None:
    return db.session.scalar(
        select(Assignment)
        .join(Course)
        .where(Assignment.employee_id == employee.id, Course.slug == slug)
    )


def course(db, slug) -> Course:
    return db.session.scalar(select(Course).where(Course.slug == slug))


def test_sync_assigns_the_starter_course_to_all_active_staff(app, db, tmp_path):
    _general, tax, hr, _welfare, office = org()
    people = [make_employee(department=d) for d in (tax, hr, office)]
    retired = make_employee(department=hr, active=False)
    sync(app, content_root(tmp_path))
    for person in people:
        assignment = row(db, person, ALL_STAFF)
        assert assignment.required and assignment.status == AssignmentStatus.NOT_STARTED
        assert assignment.due_on == clock.today() + timedelta(days=90)
    assert row(db, retired, ALL_STAFF) is None
    # The desk course only for the desks (税務課 here), not 人事課 or the 相談室.
    assert row(db, people[0], DESK).required
    assert row(db, people[1], DESK) is None and row(db, people[2], DESK) is None
    # Syncing again changes nothing.
    before = db.session.scalar(select(func.count()).select_from(Assignment))
    sync(app, content_root(tmp_path / "again"))
    assert db.session.scalar(select(func.count()).select_from(Assignment)) == before


def test_rules_by_division_position_and_role(app, db, tmp_path):
    general, tax, hr, welfare, office = org()
    in_division = make_employee(department=tax)
    chief = make_employee(department=office, position="課長")
    head = make_employee(department=office, roles=[Role.DEPARTMENT_HEAD])
    nobody = make_employee(department=office)
    root = content_root(tmp_path, shipped=False)
    for slug, rule in (
        ("for-division", 'departments: ["1000"]'),
        ("for-chiefs", "positions: [課長]"),
        ("for-heads", "roles: [department_head]"),
    ):
        write_course(
            root,
            slug,
            f'title: {{ja: "{slug}"}}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{{ja: "目標"}}]\nrequired_for:\n  {rule}\n',
        )
    write_course(root, "optional", 'title: {ja: "任意"}\nitems:\n  - quiz: tsunagu-basics\n')
    sync(app, root)
    assert row(db, in_division, "for-division").required  # a 部 code includes its 課
    assert row(db, chief, "for-chiefs").required
    assert row(db, head, "for-heads").required
    assert [
        row(db, nobody, s) for s in ("for-division", "for-chiefs", "for-heads", "optional")
    ] == [None] * 4


def test_fixed_due_date_gives_late_joiners_time(app, db, tmp_path):
    _general, tax, *_ = org()
    person = make_employee(department=tax)
    root = content_root(tmp_path, shipped=False)
    fixed = clock.today() + timedelta(days=100)
    write_course(
        root,
        "fixed",
        f'title: {{ja: "固定"}}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{{ja: "目標"}}]\nrequired_for: {{all_staff: true}}\ndue_on: {fixed.isoformat()}\n',
    )
    sync(app, root)
    assert row(db, person, "fixed").due_on == fixed
    late = service.apply_assignments(on=fixed - timedelta(days=5))
    assert late.assigned == 0
    newcomer = make_employee(department=tax)
    service.apply_assignments([newcomer.id], on=fixed - timedelta(days=5))
    assert row(db, newcomer, "fixed").due_on == fixed - timedelta(days=5) + timedelta(
        days=service.LATE_JOINER_DAYS
    )


def test_signals_move_progress_forward_and_complete_the_course(app, db, tmp_path):
    _general, _tax, hr, *_ = org()
    learner = make_employee(department=hr)
    sync(app, content_root(tmp_path))
    starter = course(db, ALL_STAFF)
    start(app, learner, "video", "tax-desk-roleplay")
    assignment = row(db, learner, ALL_STAFF)
    assert (
        assignment.status == AssignmentStatus.IN_PROGRESS and assignment.progress == 0.1
    )  # one of five items started
    assert assignment.last_item == "video:tax-desk-roleplay"
    complete_course(app, learner, starter)
    db.session.refresh(assignment)
    assert assignment.status == AssignmentStatus.COMPLETED and assignment.progress == 1.0
    assert assignment.completed_version == starter.version
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseCompletion)
            .where(CourseCompletion.employee_id == learner.id)
        )
        == 1
    )
    # Completion only moves forward: a later "started" (a re-watch) changes nothing.
    start(app, learner, "video", "tax-desk-roleplay", version=2)
    db.session.refresh(assignment)
    assert assignment.status == AssignmentStatus.COMPLETED and assignment.progress == 1.0
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "course.completed")
        )
        == 1
    )


def test_completion_remembers_the_version_it_was_earned_on(app, db, tmp_path):
    _general, _tax, hr, *_ = org()
    learner = make_employee(department=hr)
    root = content_root(tmp_path)
    sync(app, root)
    complete_course(app, learner, course(db, ALL_STAFF))
    path = root / "courses" / f"{ALL_STAFF}.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n追記。\n", encoding="utf-8")
    sync(app, root)
    assert course(db, ALL_STAFF).version == 2
    assignment = row(db, learner, ALL_STAFF)
    assert assignment.status == AssignmentStatus.COMPLETED and assignment.completed_version == 1


def test_quiz_only_completion_rule(app, db, tmp_path):
    _general, _tax, hr, *_ = org()
    learner = make_employee(department=hr)
    root = content_root(tmp_path, shipped=False)
    write_course(
        root,
        "quiz-rule",
        'title: {ja: "テスト"}\nitems:\n  - video: tax-desk-roleplay\n  - quiz: tsunagu-basics\ncompletion: quizzes\nobjectives: [{ja: "目標"}]\nrequired_for: {all_staff: true}\n',
    )
    sync(app, root)
    complete(app, learner, "quiz", "tsunagu-basics")
    assert row(db, learner, "quiz-rule").status == AssignmentStatus.COMPLETED


def test_items_done_before_the_assignment_count(app, db, tmp_path):
    _general, tax, hr, *_ = org()
    learner = make_employee(department=hr)
    sync(app, content_root(tmp_path))
    complete(app, learner, "scenario", "refusal-and-consent")
    # Transferred to 税務課 by the roster: the desk module is added, its scenario already done.
    parsed = roster.parse(
        f"職員番号,氏名,氏名カナ,所属コード,所属名\n{learner.staff_number},{learner.name},シケン タロウ,1040,税務課\n".encode()
    )
    summary = accounts_service.import_roster(parsed)
    assert summary.transferred == 1
    desk = row(db, learner, DESK)
    assert (
        desk.required and desk.status == AssignmentStatus.IN_PROGRESS and desk.progress == 0.5
    )  # 1 of 2 items


def test_a_transfer_adds_requirements_and_keeps_every_completion(app, db, tmp_path):
    _general, tax, hr, *_ = org()
    clerk = make_employee(department=tax)
    sync(app, content_root(tmp_path))
    complete_course(app, clerk, course(db, ALL_STAFF))
    complete_course(app, clerk, course(db, DESK))
    assert row(db, clerk, DESK).status == AssignmentStatus.COMPLETED
    # 人事異動: 税務課 → 人事課 (no desk course there).
    parsed = roster.parse(
        f"職員番号,氏名,氏名カナ,所属コード\n{clerk.staff_number},{clerk.name},シケン タロウ,1020\n".encode()
    )
    accounts_service.import_roster(parsed)
    desk = row(db, clerk, DESK)
    assert desk.required is False and desk.status == AssignmentStatus.COMPLETED
    assert (
        desk.department_id == hr.id and row(db, clerk, ALL_STAFF).department_id == hr.id
    )  # the rows follow the person
    assert row(db, clerk, ALL_STAFF).status == AssignmentStatus.COMPLETED
    # And back again: the completion still counts.
    parsed = roster.parse(
        f"職員番号,氏名,氏名カナ,所属コード\n{clerk.staff_number},{clerk.name},シケン タロウ,1040\n".encode()
    )
    accounts_service.import_roster(parsed)
    desk = row(db, clerk, DESK)
    assert desk.required is True and desk.status == AssignmentStatus.COMPLETED


def test_a_new_employee_from_the_roster_gets_the_starter_course(app, db, tmp_path):
    org()
    sync(app, content_root(tmp_path))
    parsed = roster.parse(
        "職員番号,氏名,氏名カナ,所属コード\n500001,新人 花子,シンジン ハナコ,1040\n".encode()
    )
    accounts_service.import_roster(parsed)
    newcomer = accounts_service.find_by_login("500001")
    assert row(db, newcomer, ALL_STAFF).required
    assert row(db, newcomer, DESK).required


def test_recertification_reopens_and_keeps_the_earlier_certificate(app, db, tmp_path):
    _general, _tax, hr, *_ = org()
    learner = make_employee(department=hr)
    root = content_root(tmp_path, shipped=False)
    write_course(
        root,
        "yearly",
        'title: {ja: "毎年"}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{ja: "目標"}]\nrequired_for: {all_staff: true}\ndue_within_days: 30\nrecertify_every: 12\n',
    )
    sync(app, root)
    complete(app, learner, "quiz", "tsunagu-basics")
    assignment = row(db, learner, "yearly")
    assert assignment.status == AssignmentStatus.COMPLETED
    assert assignment.expires_on == service.add_months(clock.today(), 12)
    # Nothing happens before the expiry …
    assert service.apply_assignments(on=assignment.expires_on - timedelta(days=1)).reopened == 0
    # … and on it the course reopens, due in the course's 30 days; the old completion stays.
    expired_on = assignment.expires_on
    summary = service.apply_assignments(on=expired_on)
    db.session.refresh(assignment)
    assert summary.reopened == 1
    assert assignment.status == AssignmentStatus.NOT_STARTED and assignment.completed_at is None
    assert assignment.due_on == expired_on + timedelta(days=30) and assignment.expires_on is None
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseCompletion)
            .where(CourseCompletion.employee_id == learner.id)
        )
        == 1
    )
    # Passing the quiz again (a new version) completes the new cycle.
    complete(app, learner, "quiz", "tsunagu-basics", version=2)
    db.session.refresh(assignment)
    assert assignment.status == AssignmentStatus.COMPLETED
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseCompletion)
            .where(CourseCompletion.employee_id == learner.id)
        )
        == 2
    )


def test_add_months_clamps_to_month_end():
    assert service.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert service.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert service.add_months(date(2026, 4, 1), 12) == date(2027, 4, 1)


def test_unknown_employee_or_item_is_ignored(app, db, tmp_path):
    org()
    sync(app, content_root(tmp_path))
    assert service.record_item_event(999999, "video", "tax-desk-roleplay", 1, completed=True) == []
    learner = make_employee()
    assert (
        service.record_item_event(learner.id, "video", "not-in-any-course", 1, completed=True) == []
    )


def test_set_based_rules_agree_with_the_rule_of_each_course(app, db, tmp_path):
    """Every employee × course is required exactly when the course's rule matches the person
    (the 課 or its 部, the position, a role — every employee is a learner)."""
    general, tax, hr, welfare, office = org()
    staff = [
        make_employee(department=tax),
        make_employee(department=tax, position="課長"),
        make_employee(department=office, position="係長"),
        make_employee(department=office, roles=[Role.DEPARTMENT_HEAD]),
        make_employee(department=welfare, position=""),
        make_employee(department=hr, roles=[Role.TRAINING_ADMIN]),
    ]
    root = content_root(tmp_path, shipped=False)
    rules = {
        "for-division": 'departments: ["1000"]',
        "for-chiefs": "positions: [課長]",
        "for-heads": "roles: [department_head]",
        "for-learners": "roles: [learner]",
        "mixed": 'departments: ["3050"]\n  positions: [課長]',
    }
    for slug, rule in rules.items():
        write_course(
            root,
            slug,
            f'title: {{ja: "{slug}"}}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{{ja: "目標"}}]\nrequired_for:\n  {rule}\n',
        )
    sync(app, root)
    for person in staff:
        codes = {
            c
            for c in (
                person.department.code,
                person.department.parent.code if person.department.parent else None,
            )
            if c
        }
        facts = service.StaffFacts(
            person.id,
            person.department_id,
            frozenset(codes),
            person.position or "",
            frozenset({r.role for r in person.role_rows} | {"learner"}),
        )
        for slug in rules:
            assignment = row(db, person, slug)
            expected = service.Rule.of(course(db, slug).required_for).matches(facts)
            assert (assignment is not None and assignment.required) == expected, (
                person.position,
                person.department.code,
                slug,
            )


def test_required_again_gets_a_new_date_unless_completed(app, db, tmp_path):
    _general, tax, hr, *_ = org()
    clerk = make_employee(department=tax)
    root = content_root(tmp_path, shipped=False)
    write_course(
        root,
        "for-tax",
        'title: {ja: "税"}\nitems:\n  - quiz: tsunagu-basics\nobjectives: [{ja: "目標"}]\nrequired_for:\n  departments: ["1040"]\ndue_within_days: 30\n',
    )
    sync(app, root)
    first = row(db, clerk, "for-tax")
    assert first.required and first.department_id == tax.id
    clerk.department_id = hr.id
    db.session.commit()
    summary = service.apply_assignments([clerk.id])
    assert summary.no_longer_required == 1 and summary.assigned == 0
    db.session.expire_all()
    assert (
        row(db, clerk, "for-tax").required is False
        and row(db, clerk, "for-tax").department_id == hr.id
    )
    clerk = db.session.get(type(clerk), clerk.id)
    clerk.department_id = tax.id
    db.session.commit()
    later = clock.today() + timedelta(days=10)
    summary = service.apply_assignments([clerk.id], on=later)
    assert summary.assigned == 1 and summary.employees == 1
    db.session.expire_all()
    again = row(db, clerk, "for-tax")
    assert (
        again.required and again.assigned_on == later and again.due_on == later + timedelta(days=30)
    )
    assert again.department_id == tax.id
    assert service.apply_assignments([clerk.id], on=later).assigned == 0  # nothing left to do

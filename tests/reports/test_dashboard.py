"""The HR completion dashboard: numbers, roll-up by 部, scope of a department head, exports."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select

from app.core import clock
from app.core.models import AuditEvent
from app.core.permissions import Role
from app.courses.models import Assignment, Course
from app.extensions import db as _db
from tests.courses.support import complete_course, content_root, start, sync
from tests.factories import login, make_department, make_employee

STARTER = "全職員研修　気づいて、つなぐ"


def main_of(response) -> str:
    return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]


def matrix_of(response) -> str:
    return response.get_data(as_text=True).split('class="table matrix"', 1)[1].split("</table>")[0]


@pytest.fixture
def city(app, db, tmp_path):
    """総務部 (税務課 3 staff, 人事課 2) and 健康福祉部 (相談室 2); the starter course assigned."""
    general = make_department(code="1000", name_ja="総務部")
    tax = make_department(code="1040", name_ja="税務課", parent=general)
    hr = make_department(code="1020", name_ja="人事課", parent=general)
    welfare = make_department(code="3000", name_ja="健康福祉部")
    office = make_department(code="3050", name_ja="福祉まるごと相談室", parent=welfare)
    head = make_employee(
        department=tax, roles=[Role.DEPARTMENT_HEAD], name="税務 課長", position="課長"
    )
    clerk = make_employee(department=tax, name="税務 一郎")
    late = make_employee(department=tax, name="税務 遅子")
    admin = make_employee(department=hr, roles=[Role.TRAINING_ADMIN], name="人事 研修")
    hr_clerk = make_employee(department=hr, name="人事 二郎")
    worker = make_employee(department=office, name="相談 三子")
    worker2 = make_employee(department=office, name="相談 四郎")
    sync(app, content_root(tmp_path))
    starter = db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    complete_course(app, clerk, starter)
    complete_course(app, worker, starter)
    start(app, hr_clerk, "video", "tax-desk-roleplay")
    overdue = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == late.id, Assignment.course_id == starter.id
        )
    )
    overdue.due_on = clock.today() - timedelta(days=10)
    db.session.commit()
    return dict(
        general=general,
        tax=tax,
        hr=hr,
        welfare=welfare,
        office=office,
        head=head,
        clerk=clerk,
        late=late,
        admin=admin,
        hr_clerk=hr_clerk,
        worker=worker,
        worker2=worker2,
        starter=starter,
    )


def test_matrix_counts_and_rolls_up_by_division(app, client, city):
    login(client, city["admin"])
    response = client.get(f"/reports/?course={city['starter'].id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    from app.reports import service

    matrix = service.matrix(service.Scope(everything=True), course_id=city["starter"].id)
    cells = {r.department.name_ja: r.cells[city["starter"].id] for r in matrix.rows}
    tax = cells["税務課"]
    assert (tax.total, tax.completed, tax.in_progress, tax.not_started, tax.overdue) == (
        3,
        1,
        0,
        2,
        1,
    )
    general = cells["総務部"]
    assert (general.total, general.completed, general.in_progress) == (5, 1, 1)
    assert cells["健康福祉部"].percent == 50.0
    assert matrix.grand.total == 7 and matrix.grand.completed == 2
    assert [r.department.name_ja for r in matrix.rows] == [
        "総務部",
        "人事課",
        "税務課",
        "健康福祉部",
        "福祉まるごと相談室",
    ]  # by code
    assert "<svg" in html and "<polyline" in html and "style=" not in html
    # HR sees each 部 with its totals; its 課 only once the 部 is opened.
    collapsed = matrix_of(response)
    assert "総務部" in collapsed and "50%" in collapsed and "1/2" in collapsed  # 健康福祉部
    assert ">税務課<" not in collapsed and ">人事課<" not in collapsed
    assert f"open={city['general'].id}#d{city['general'].id}" in collapsed
    assert "課を表示（2）" in collapsed
    opened = matrix_of(
        client.get(f"/reports/?course={city['starter'].id}&open={city['general'].id}")
    )
    assert ">税務課<" in opened and ">人事課<" in opened and "福祉まるごと相談室" not in opened
    assert "33%" in opened and "1/3" in opened and "1人 期限超過" in opened
    assert "課を閉じる" in opened and "課を表示（1）" in opened  # 健康福祉部 stays folded


def test_drill_down_lists_staff_and_is_audited(app, db, client, city):
    login(client, city["admin"])
    html = client.get(f"/reports/departments/{city['tax'].id}").get_data(as_text=True)
    assert "税務 一郎" in html and "税務 遅子" in html and "期限超過" in html and "修了" in html
    assert db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "progress.viewed", AuditEvent.object_id == str(city["tax"].id)
        )
    )
    only_overdue = client.get(f"/reports/departments/{city['tax'].id}?status=overdue").get_data(
        as_text=True
    )
    assert "税務 遅子" in only_overdue and "税務 一郎" not in only_overdue
    division = client.get(f"/reports/departments/{city['general'].id}").get_data(as_text=True)
    assert "人事 二郎" in division and "税務 一郎" in division


def test_department_head_sees_only_their_department(app, client, city):
    login(client, city["head"])
    html = main_of(client.get("/reports/"))
    assert "税務課" in html and "人事課" not in html and "福祉まるごと相談室" not in html
    assert client.get(f"/reports/departments/{city['tax'].id}").status_code == 200
    # URL tampering: another 課, the 部 above, another 部 as a filter.
    assert client.get(f"/reports/departments/{city['hr'].id}").status_code == 403
    assert client.get(f"/reports/departments/{city['general'].id}").status_code == 403
    assert client.get(f"/reports/?division={city['welfare'].id}").status_code == 403
    assert client.get(f"/reports/export.csv?division={city['welfare'].id}").status_code == 403
    # Filtering by their own 部 still shows only their 課.
    own_division = main_of(client.get(f"/reports/?division={city['general'].id}"))
    assert "人事課" not in own_division and "税務課" in own_division
    exported = client.get("/reports/export.csv").data.decode("utf-8-sig")
    assert (
        "税務課" in exported and "人事課" not in exported and "福祉まるごと相談室" not in exported
    )
    overdue = client.get("/reports/overdue.csv").data.decode("utf-8-sig")
    assert "税務 遅子" in overdue and "人事" not in overdue
    assert (
        client.get("/reports/my-department")
        .headers["Location"]
        .endswith(f"/reports/departments/{city['tax'].id}")
    )


def test_learners_cannot_open_reports(client, city):
    login(client, city["clerk"])
    for url in (
        "/reports/",
        f"/reports/departments/{city['tax'].id}",
        "/reports/overdue",
        "/reports/export.csv",
        "/reports/overdue.xlsx",
    ):
        assert client.get(url).status_code == 403, url


def test_csv_export_has_bom_and_japanese(client, city):
    login(client, city["admin"])
    response = client.get("/reports/export.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["部", "課", "研修"]
    tax = next(r for r in rows if r[1] == "税務課" and r[2] == STARTER)
    assert tax[0] == "総務部" and tax[3:9] == ["3", "1", "0", "2", "1", "33.3"]
    total = next(r for r in rows if r[0] == "全庁" and r[2] == STARTER)
    assert total[3:5] == ["7", "2"]


def test_xlsx_export_opens_with_the_numbers(client, city):
    login(client, city["admin"])
    response = client.get("/reports/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "部" and sheet.title == "受講状況"
    office = next(r for r in rows if r[1] == "福祉まるごと相談室" and r[2] == STARTER)
    assert office[3:9] == (2, 1, 0, 1, 0, 50)


def test_overdue_list_and_its_exports(app, db, client, city):
    login(client, city["admin"])
    html = client.get("/reports/overdue").get_data(as_text=True)
    assert "税務 遅子" in html and "1件" in html
    rows = list(
        csv.reader(io.StringIO(client.get("/reports/overdue.csv").data.decode("utf-8-sig")))
    )
    assert rows[0][:2] == ["職員番号", "氏名"]
    assert (
        rows[1][1] == "税務 遅子"
        and rows[1][2] == "総務部"
        and rows[1][3] == "税務課"
        and rows[1][6] == "10"
    )
    sheet = load_workbook(io.BytesIO(client.get("/reports/overdue.xlsx").data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "税務 遅子" and values[1][6] == 10
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "progress.exported"))
        is not None
    )
    assert client.get("/reports/overdue.pdf").status_code == 404


def _count_queries(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_query_count_does_not_grow_with_staff(app, db, client, city):
    login(client, city["admin"])
    urls = ["/reports/", f"/reports/departments/{city['tax'].id}", "/reports/overdue"]
    before = [_count_queries(client, u) for u in urls]
    from app.courses import service as courses_service

    newcomers = [make_employee(department=city["tax"]).id for _ in range(12)]
    courses_service.apply_assignments()
    late = db.session.scalars(select(Assignment).where(Assignment.employee_id.in_(newcomers))).all()
    for row in late:
        row.due_on = clock.today() - timedelta(days=1)
    db.session.commit()
    after = [_count_queries(client, u) for u in urls]
    assert before == after


def test_drill_down_pages_and_english(app, db, client, city):
    from app.courses import service as courses_service

    for n in range(50):
        make_employee(department=city["tax"], staff_number=f"8{n:05d}", name=f"税務 追加{n}")
    courses_service.apply_assignments()
    login(client, city["admin"])
    first = main_of(client.get(f"/reports/departments/{city['tax'].id}"))
    second = main_of(client.get(f"/reports/departments/{city['tax'].id}?page=2"))
    assert "53人" in first and "page=2" in first  # the pager links to the second page
    assert first.count("<tr>") + second.count("<tr>") == 53 + 2  # two header rows
    client.post("/language", data={"locale": "en"})
    english = main_of(client.get("/reports/"))
    assert "Completion dashboard" in english and "Completion over time" in english
    assert (
        client.get("/reports/export.csv")
        .data.decode("utf-8-sig")
        .startswith("Division (部),Section (課),Course")
    )


FORMULA = '=HYPERLINK("http://x","y")'


def test_exports_never_turn_a_roster_name_into_a_formula(db, client, city):
    city["late"].name = FORMULA
    city["tax"].name_ja = "+税務課"
    db.session.commit()
    login(client, city["admin"])
    rows = list(
        csv.reader(io.StringIO(client.get("/reports/overdue.csv").data.decode("utf-8-sig")))
    )
    assert rows[1][1] == "'" + FORMULA
    assert rows[1][3] == "'+税務課"
    assert rows[1][6] == "10"  # numbers stay numbers
    workbook = load_workbook(io.BytesIO(client.get("/reports/overdue.xlsx").data))
    name = workbook.active.cell(row=2, column=2)
    assert name.value == "'" + FORMULA and name.data_type == "s"
    assert workbook.active.cell(row=2, column=7).value == 10
    matrix = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").data)).active
    assert all(cell.data_type != "f" for row in matrix.iter_rows() for cell in row)
    assert any(cell.value == "'+税務課" for row in matrix.iter_rows() for cell in row)


def test_drill_down_and_overdue_list_filter_by_section(app, client, city):
    login(client, city["admin"])
    general, tax, hr = city["general"].id, city["tax"].id, city["hr"].id
    whole = main_of(client.get(f"/reports/departments/{general}"))
    assert "人事 二郎" in whole and "税務 一郎" in whole and 'name="section"' in whole
    one = main_of(client.get(f"/reports/departments/{general}?section={hr}"))
    assert "人事 二郎" in one and "税務 一郎" not in one and "2人" in one
    # a 課 of another 部 is not a filter of this one: the whole 部 is shown
    other = main_of(client.get(f"/reports/departments/{general}?section={city['office'].id}"))
    assert "税務 一郎" in other and "相談 三子" not in other

    overdue = main_of(client.get("/reports/overdue"))
    assert f'<option value="{tax}">総務部 / 税務課</option>' in overdue
    assert "税務 遅子" in main_of(client.get(f"/reports/overdue?division={tax}"))
    assert "税務 遅子" not in main_of(client.get(f"/reports/overdue?division={hr}"))
    # 税務 遅子 has not started the overdue course
    assert "税務 遅子" in main_of(client.get("/reports/overdue?status=not_started"))
    started = main_of(client.get("/reports/overdue?status=in_progress"))
    assert "税務 遅子" not in started and "0件" in started
    exported = client.get("/reports/overdue.csv?status=in_progress").data.decode("utf-8-sig")
    assert "税務 遅子" not in exported and len(exported.strip().splitlines()) == 1
    assert "税務 遅子" in client.get("/reports/overdue.csv?status=bogus").data.decode("utf-8-sig")

    head = app.test_client()
    login(head, city["head"])
    assert head.get(f"/reports/overdue?division={tax}").status_code == 200
    assert head.get(f"/reports/overdue?division={hr}").status_code == 403


def test_a_division_head_sees_their_sections_without_opening(app, db, client, city):
    chief = make_employee(
        department=city["general"], roles=[Role.DEPARTMENT_HEAD], name="総務 部長"
    )
    login(client, chief)
    matrix = matrix_of(client.get("/reports/"))
    assert ">総務部<" in matrix and ">税務課<" in matrix and ">人事課<" in matrix
    assert "健康福祉部" not in matrix and "課を表示" not in matrix and "課を閉じる" not in matrix

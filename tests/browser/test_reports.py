"""HR in Chromium: the dashboard, a drill-down, and the CSV and XLSX downloads, parsed."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from app.core.permissions import Role
from app.courses.models import Assignment, Course
from tests.browser.conftest import assert_accessible, sign_in
from tests.courses.support import complete_course, content_root, sync
from tests.factories import PASSWORD, make_department, make_employee

STARTER = "全職員研修　気づいて、つなぐ"


def test_hr_drills_down_and_downloads_both_exports(page, app, db, tmp_path):
    general = make_department(code="1000", name_ja="総務部")
    tax = make_department(code="1040", name_ja="税務課", parent=general)
    hr = make_department(code="1020", name_ja="人事課", parent=general)
    welfare = make_department(code="3000", name_ja="健康福祉部")
    make_department(code="3050", name_ja="福祉まるごと相談室", parent=welfare)
    admin = make_employee(department=hr, roles=[Role.TRAINING_ADMIN], name="人事 研修")
    clerks = [make_employee(department=tax, name=f"税務 職員{i}") for i in range(4)]
    sync(app, content_root(tmp_path))
    starter = db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    for clerk in clerks[:3]:
        complete_course(app, clerk, starter)
    late = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == clerks[3].id, Assignment.course_id == starter.id
        )
    )
    late.due_on = date.today() - timedelta(days=5)
    db.session.commit()

    sign_in(page, admin, PASSWORD)
    page.get_by_role("link", name="受講状況ダッシュボード").click()
    page.wait_for_url("**/reports/")
    assert page.get_by_role("heading", name="受講状況ダッシュボード").is_visible()
    assert page.locator("svg[role=img] polyline").count() >= 1
    assert_accessible(page, "dashboard")

    # 課 are folded under their 部 until it is opened (a plain link: no script needed).
    matrix = page.locator("table.matrix")
    assert matrix.get_by_role("link", name="税務課").count() == 0
    matrix.get_by_role("link", name="課を表示（2） (総務部)").click()
    page.wait_for_url(f"**/reports/?course=&open={general.id}#d{general.id}")
    assert matrix.get_by_role("link", name="課を閉じる (総務部)").is_visible()
    assert_accessible(page, "dashboard with a 部 opened")
    matrix.get_by_role("link", name="税務課").click()
    page.wait_for_url("**/reports/departments/*")
    rows = page.locator("table.staff-table tbody tr")
    assert rows.count() == 4
    assert "期限超過" in rows.filter(has_text="税務 職員3").inner_text()
    assert_accessible(page, "drill-down")
    page.go_back()

    with page.expect_download() as info:
        page.get_by_role("link", name="受講状況（CSV）").click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["部", "課", "研修"]
    tax_row = next(r for r in table if r[1] == "税務課" and r[2] == STARTER)
    assert tax_row[0] == "総務部" and tax_row[3:9] == ["4", "3", "0", "1", "1", "75.0"]
    division = next(r for r in table if r[0] == "総務部" and r[1] == "（部計）" and r[2] == STARTER)
    assert division[3:5] == ["5", "3"]

    with page.expect_download() as info:
        page.get_by_role("link", name="受講状況（Excel）").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("部", "課", "研修")
    tax_xlsx = next(r for r in values if r[1] == "税務課" and r[2] == STARTER)
    assert tax_xlsx[3:9] == (4, 3, 0, 1, 1, 75)

    page.get_by_role("link", name="期限超過者一覧").click()
    page.wait_for_url("**/reports/overdue*")
    assert "税務 職員3" in page.locator("table").inner_text()
    assert_accessible(page, "overdue list")


def test_department_head_sees_their_department_in_the_browser(page, app, db, tmp_path):
    general = make_department(code="1000", name_ja="総務部")
    tax = make_department(code="1040", name_ja="税務課", parent=general)
    hr = make_department(code="1020", name_ja="人事課", parent=general)
    head = make_employee(
        department=tax, roles=[Role.DEPARTMENT_HEAD], name="税務 課長", position="課長"
    )
    make_employee(department=tax, name="税務 職員")
    make_employee(department=hr, name="人事 職員")
    sync(app, content_root(tmp_path))
    sign_in(page, head, PASSWORD)
    page.get_by_role("link", name="所属の受講状況").click()
    page.wait_for_url(f"**/reports/departments/{tax.id}")
    table = page.locator("table.staff-table").inner_text()
    assert "税務 職員" in table and "人事 職員" not in table
    assert_accessible(page, "department head's drill-down")
    # Changing the id in the address does not open another department.
    assert page.request.get(f"/reports/departments/{hr.id}").status == 403
    page.goto("/reports/")
    assert "人事課" not in page.locator("main").inner_text()
    assert_accessible(page, "department head's dashboard")

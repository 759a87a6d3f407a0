"""HR imports a CP932 roster in the browser: a broken row is reported and nothing changes;
the fixed file previews, applies, and the transferred employee's history shows both
departments."""

from app.core.permissions import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD, make_department, make_employee

HEADER = "職員番号,氏名,氏名カナ,所属コード,所属名,役職,メール\r\n"


def test_roster_upload_with_a_broken_row_then_fixed(page, app, tmp_path, db):
    tax = make_department(code="1040", name_ja="税務課")
    make_department(code="4040", name_ja="上下水道課")
    hr = make_employee(roles=[Role.TRAINING_ADMIN], department=tax)
    mover = make_employee(
        department=tax, staff_number="810001", name="髙橋 一郎", name_kana="タカハシ イチロウ"
    )
    rows = [
        "810001,髙橋 一郎,ﾀｶﾊｼ ｲﾁﾛｳ,4040,上下水道課,主任,",
        "810002,新規 職員,しんき しょくいん,1040,税務課,主事,",
    ]
    broken = tmp_path / "roster-broken.csv"
    broken.write_bytes((HEADER + "\r\n".join(rows) + "\r\n").encode("cp932"))
    fixed = tmp_path / "roster-fixed.csv"
    fixed.write_bytes(
        broken.read_bytes().replace(
            "しんき しょくいん".encode("cp932"), "シンキ ショクイン".encode("cp932")
        )
    )

    sign_in(page, hr, PASSWORD)
    page.goto("/admin/roster")
    page.set_input_files("#file", str(broken))
    page.get_by_role("button", name="ファイルを確認する").click()
    errors = page.locator("#roster-errors tbody tr")
    assert errors.count() == 1
    assert errors.first.inner_text().split("\t")[:2] == ["3", "氏名カナ"]
    assert_accessible(page, "roster errors")
    db.session.expire_all()
    assert mover.department_id == tax.id

    page.set_input_files("#file", str(fixed))
    page.get_by_role("button", name="ファイルを確認する").click()
    assert page.locator('[data-count="added"]').inner_text() == "1"
    assert page.locator('[data-count="transferred"]').inner_text() == "1"
    page.get_by_role("button", name="この内容で取り込む").click()
    assert page.get_by_role("heading", name="職員名簿を取り込みました。").is_visible()

    page.goto(f"/admin/employees/{mover.id}")
    history = page.locator("#department-history tbody tr")
    assert history.count() == 2
    assert "税務課" in history.nth(0).inner_text() and "上下水道課" in history.nth(1).inner_text()
    assert_accessible(page, "employee history")

"""Roster import: encodings, validation with row numbers, all-or-nothing, transfers."""

import codecs
from datetime import date

from sqlalchemy import select

from app.accounts import roster, service
from app.accounts.models import DepartmentMembership, Employee
from app.core.permissions import Role
from tests.factories import login, make_department, make_employee

HEADER = "職員番号,氏名,氏名カナ,所属コード,所属名,役職,メール\r\n"


def csv_bytes(rows: list[str], encoding="cp932", header=HEADER) -> bytes:
    return (header + "".join(r + "\r\n" for r in rows)).encode(encoding)


def test_decodes_utf8_with_and_without_bom_and_cp932():
    rows = ["000123,髙橋 﨑子,ﾀｶﾊｼ ｻｷｺ,1040,税務課,主事,"]  # 髙 and 﨑 exist only in CP932
    for data in (
        csv_bytes(rows, "utf-8"),
        codecs.BOM_UTF8 + csv_bytes(rows, "utf-8"),
        csv_bytes(rows, "cp932"),
    ):
        parsed = roster.parse(data)
        assert parsed.errors == []
        row = parsed.rows[0]
        assert (row.staff_number, row.name, row.name_kana) == (
            "000123",
            "髙橋 﨑子",
            "タカハシ サキコ",
        )


def test_every_invalid_row_is_reported_with_row_and_column():
    parsed = roster.parse(
        csv_bytes(
            [
                "200001,山田 一郎,ヤマダ イチロウ,1040,税務課,主事,a@example.jp",
                ",名無し,ナナシ,1040,税務課,,",  # row 3: no 職員番号
                "200003,鈴木 次郎,すずき じろう,1040,税務課,,",  # row 4: hiragana kana
                "200001,重複 三郎,ジュウフク サブロウ,1040,税務課,,",  # row 5: duplicate number
                "200005,佐藤 四郎,サトウ シロウ,,,,not-an-email",  # row 6: two errors
            ]
        )
    )
    found = {(e.row, e.column) for e in parsed.errors}
    assert found == {
        (3, "職員番号"),
        (4, "氏名カナ"),
        (5, "職員番号"),
        (6, "所属コード"),
        (6, "メール"),
    }
    assert [r.row for r in parsed.rows] == [2]


def test_missing_columns_and_garbage_are_refused_clearly():
    assert "職員番号" in roster.parse("氏名,メール\n山田,a@b.jp\n".encode()).errors[0].message
    assert roster.parse(b"").errors[0].message
    assert roster.parse(bytes(range(256)) * 4).errors


def _import(rows, **kwargs):
    return service.import_roster(roster.parse(csv_bytes(rows)), **kwargs)


def test_a_file_with_any_error_changes_nothing(db):
    tax = make_department(code="1040", name_ja="税務課")
    existing = make_employee(department=tax, staff_number="300001", name="既存 職員")
    summary = _import(
        [
            "300001,既存 職員,キソン ショクイン,1040,税務課,主査,",
            "300002,新人 一人,シンジン ヒトリ,1040,税務課,主事,",
            "300003,壊れ た行,コワレ タギョウ,,,,",
        ]
    )
    assert not summary.ok
    assert [(e.row, e.column) for e in summary.errors] == [(4, "所属コード")]
    db.session.expire_all()
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "300002")) is None
    assert db.session.get(Employee, existing.id).position == "主事"


def test_upsert_transfer_keeps_history_and_deactivates_only_when_asked(db):
    tax = make_department(code="1040", name_ja="税務課")
    water = make_department(code="4040", name_ja="上下水道課")
    mover = make_employee(
        department=tax, staff_number="400001", name="異動 太郎", name_kana="イドウ タロウ"
    )
    stayer = make_employee(
        department=tax, staff_number="400002", name="残留 花子", name_kana="ザンリュウ ハナコ"
    )
    leaver = make_employee(department=tax, staff_number="400003")
    rows = [
        "400001,異動 太郎,イドウ タロウ,4040,上下水道課,主任,",
        "400002,残留 花子,ザンリュウ ハナコ,1040,税務課,主事,",
        "400004,新規 採用,シンキ サイヨウ,4040,上下水道課,主事,new@example.jp",
    ]
    summary = _import(rows, effective_on=date(2027, 4, 1))
    assert (summary.added, summary.transferred, summary.deactivated, summary.unchanged) == (
        1,
        1,
        0,
        1,
    )
    db.session.expire_all()
    assert db.session.get(Employee, leaver.id).active  # not without --deactivate-missing

    history = db.session.scalars(
        select(DepartmentMembership)
        .where(DepartmentMembership.employee_id == mover.id)
        .order_by(DepartmentMembership.started_on)
    ).all()
    assert [(m.department_id, m.ended_on) for m in history] == [
        (tax.id, date(2027, 3, 31)),
        (water.id, None),
    ]
    assert db.session.get(Employee, mover.id).department_id == water.id
    assert db.session.get(Employee, stayer.id).department_id == tax.id

    summary = _import(rows, deactivate_missing=True, effective_on=date(2027, 4, 1))
    assert summary.deactivated == 1 and summary.transferred == 0
    db.session.expire_all()
    assert not db.session.get(Employee, leaver.id).active


def test_dry_run_counts_but_changes_nothing(db):
    make_department(code="1040", name_ja="税務課")
    summary = _import(["500001,試し 読み,タメシ ヨミ,1040,税務課,主事,"], dry_run=True)
    assert summary.added == 1 and not summary.applied
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "500001")) is None


def test_cli_import_reports_errors_then_applies_the_fixed_file(app, db, tmp_path):
    tax = make_department(code="1040", name_ja="税務課")
    make_department(code="4040", name_ja="上下水道課")
    mover = make_employee(
        department=tax, staff_number="600001", name="移動 次郎", name_kana="イドウ ジロウ"
    )
    broken = tmp_path / "roster.csv"
    broken.write_bytes(
        csv_bytes(
            [
                "600001,移動 次郎,イドウ ジロウ,4040,上下水道課,主任,",
                "600002,壊れ 行,こわれ ぎょう,1040,税務課,主事,",
            ]
        )
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "import", str(broken)])
    assert result.exit_code == 1
    assert "3 行目 氏名カナ" in result.output
    db.session.expire_all()
    assert db.session.get(Employee, mover.id).department_id == tax.id

    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(
        broken.read_bytes().replace(
            "こわれ ぎょう".encode("cp932"), "コワレ ギョウ".encode("cp932")
        )
    )
    result = runner.invoke(args=["staff", "import", str(fixed), "--dry-run"])
    assert result.exit_code == 0 and "追加 1" in result.output and "異動 1" in result.output
    db.session.expire_all()
    assert db.session.get(Employee, mover.id).department_id == tax.id
    result = runner.invoke(args=["staff", "import", str(fixed)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    names = [m.department.name_ja for m in db.session.get(Employee, mover.id).memberships]
    assert names == ["税務課", "上下水道課"]


def test_upload_page_previews_then_applies(client, db):
    make_department(code="1040", name_ja="税務課")
    hr = make_employee(roles=[Role.TRAINING_ADMIN])
    login(client, hr)
    from io import BytesIO

    data = csv_bytes(["700001,画面 取込,ガメン トリコミ,1040,税務課,主事,"])
    page = client.post(
        "/admin/roster",
        data={"file": (BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert "まだ何も変更していません" in html
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "700001")) is None
    import re

    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    done = client.post("/admin/roster/apply", data={"token": token, "deactivate_missing": ""})
    assert "取り込みました" in done.get_data(as_text=True)
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "700001")) is not None
    # a used token cannot be replayed
    again = client.post("/admin/roster/apply", data={"token": token, "deactivate_missing": ""})
    assert again.status_code == 302


def test_upload_page_shows_row_errors_and_changes_nothing(client, db):
    make_department(code="1040", name_ja="税務課")
    login(client, make_employee(roles=[Role.TRAINING_ADMIN]))
    from io import BytesIO

    data = csv_bytes(
        ["700002,正しい 行,タダシイ ギョウ,1040,税務課,主事,", "700003,,カナ ダケ,1040,税務課,,"]
    )
    html = client.post(
        "/admin/roster", data={"file": (BytesIO(data), "r.csv")}, content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert "ファイルにエラーがあります" in html and "<td>3</td><td>氏名</td>" in html
    assert 'name="token"' not in html


def test_learner_cannot_open_the_upload_page(client):
    login(client, make_employee())
    assert client.get("/admin/roster").status_code == 403

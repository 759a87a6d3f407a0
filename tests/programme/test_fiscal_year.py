"""The fiscal-year figures on a city with known numbers, the April boundary included, and the
XLSX export read back with openpyxl."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.programme import service
from tests.factories import login
from tests.programme.conftest import ON


def _summary(report) -> dict:
    return {row[0]: row[1] for row in report.table("summary").rows}


def test_a_referral_on_march_31_belongs_to_the_old_year_and_april_1_to_the_new(app, city):
    old = service.fiscal_year_report(2025, on=ON)
    new = service.fiscal_year_report(2026, on=ON)
    routes_old, routes_new = old.table("routes"), new.table("routes")
    # 2026-03-31 23:30 (city time) is 令和7年度; 2026-04-01 00:10 is 令和8年度.
    assert routes_old.value("合計", "受付件数") == 5
    assert routes_new.value("合計", "受付件数") == 6
    departments = old.table("departments")
    assert departments.value("総務部", "受付件数") == 4
    assert new.table("departments").value("総務部", "受付件数") == 5


def test_routes_and_outcomes(app, city):
    old = service.fiscal_year_report(2025, on=ON).table("routes")
    assert old.footer == ["合計", 5, 3, 0, 1, 1, 0]
    new = service.fiscal_year_report(2026, on=ON).table("routes")
    consent = new.rows[0]
    assert consent[1:] == [4, 1, 1, 0, 0, 2]  # D accepted, A linked, two not yet triaged
    assert new.rows[1][1:] == [1, 0, 0, 0, 0, 1]  # the anonymous consultation, not triaged
    assert new.rows[2][1:] == [1, 1, 0, 0, 0, 0]  # the child-abuse notification, accepted
    assert new.footer == ["合計", 6, 2, 1, 0, 0, 3]


def test_departments_are_listed_under_their_division(app, city):
    table = service.fiscal_year_report(2026, on=ON).table("departments")
    assert table.rows == [
        ["総務部", "税務課", 5, 4, 0, 1],
        ["産業建設部", "上下水道課", 1, 0, 1, 0],
    ]
    assert table.footer == ["合計", "", 6, 4, 1, 1]


def test_cases_new_continuing_closed_open_and_long(app, city):
    old = _summary(service.fiscal_year_report(2025, on=ON))
    assert old["新規ケース"] == 2  # A, B (C opened on 4月1日: the new year's)
    assert old["継続ケース（前年度から）"] == 0
    assert old["終結したケース"] == 1  # B
    assert old["令和8年3月31日時点の支援中のケース"] == 1  # A
    assert old["令和8年3月31日時点の長期化ケース"] == 0  # A: not yet 12 months
    new = service.fiscal_year_report(2026, on=ON)
    summary = _summary(new)
    assert summary["新規ケース"] == 3  # C, D, E
    assert summary["継続ケース（前年度から）"] == 1  # A (B was closed before the year)
    assert summary["支援したケース"] == 4
    assert summary["支援プランのあるケース"] == 2  # A, C
    assert summary["終結したケース"] == 1  # D
    assert summary["令和8年12月4日時点の支援中のケース"] == 3  # A, C, E
    assert summary["令和8年12月4日時点の長期化ケース"] == 1  # A, opened 2025-05-11
    table = new.table("cases")
    assert table.value("うち住民につながったケース", "件数") == 1  # C's visit
    assert table.value("訪問", "件数") == 1
    assert table.value("関係機関が記録した支援経過", "件数") == 1
    assert table.value("ケースに役割のある関係機関", "件数") == 1
    old_table = service.fiscal_year_report(2025, on=ON).table("cases")
    assert old_table.value("関係機関が記録した支援経過", "件数") == 0
    assert old_table.value("ケースに役割のある関係機関", "件数") == 0
    assert (
        table.value("見直し（主担当または会議で）", "件数") == 3
    )  # A's review + two meeting decisions
    assert not new.complete and new.as_of == ON


def test_meetings_and_the_support_meeting(app, city):
    old = service.fiscal_year_report(2025, on=ON).table("meetings")
    assert [row[1] for row in old.rows] == [1, 0, 1, 0, 1, 0, 0]
    new = service.fiscal_year_report(2026, on=ON).table("meetings")
    # The meeting of 2026-12-20 has not been held on 12月4日.
    assert [row[1] for row in new.rows] == [
        1,
        1,
        2,
        1,
        2,
        2,
        1,
    ]  # two closure proposals, one closed


def test_closure_proposals_and_checks_after_closure(app, city):
    old = service.fiscal_year_report(2025, on=ON)
    assert old.table("meetings").value("終結の提案（見直しで終結可と判断）", "件数") == 0
    assert old.table("cases").value("終結後の見守り確認の実施", "件数") == 0
    new = service.fiscal_year_report(2026, on=ON)
    assert new.table("meetings").value("終結の提案（見直しで終結可と判断）", "件数") == 2
    assert new.table("meetings").value("うち会議の決定で終結", "件数") == 1
    assert new.table("cases").value("終結後の見守り確認の実施", "件数") == 1


def test_closures_by_reason(app, city):
    old = service.fiscal_year_report(2025, on=ON).table("closures")
    assert old.value("支援目標の達成", "件数") == 1 and old.footer == ["合計", 1]
    new = service.fiscal_year_report(2026, on=ON).table("closures")
    assert new.value("転出", "件数") == 1 and new.value("支援目標の達成", "件数") == 0
    assert len(new.rows) == 7  # every reason, zeros included, as the city's form has them


def test_a_year_that_has_ended_is_complete(app, city):
    report = service.fiscal_year_report(2025, on=ON)
    assert report.complete and report.as_of == date(2026, 3, 31)
    assert report.label == "令和7年度"


def test_the_page_shows_the_year_in_wareki_and_the_numbers(client, city):
    login(client, city["worker"])
    html = client.get("/programme/fiscal-year?fy=2025").get_data(as_text=True)
    assert "令和7年度" in html and "令和7年4月1日" in html and "令和8年3月31日" in html
    assert 'id="table-routes"' in html and 'id="table-closures"' in html
    report = service.fiscal_year_report(2025, on=ON)
    for row in report.table("departments").rows:
        assert f'<td class="num">{row[2]}</td>' in html


def test_a_year_that_is_not_offered_gets_a_message_and_the_current_year(client, city):
    login(client, city["worker"])
    response = client.get("/programme/fiscal-year?fy=1999")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "その年度の数値はありません" in html
    assert client.get("/programme/fiscal-year?fy=abc").status_code == 200
    assert client.get("/programme/fiscal-year.xlsx?fy=1999").status_code == 404


def test_the_xlsx_has_the_same_numbers_as_the_report(client, city):
    login(client, city["worker"])
    response = client.get("/programme/fiscal-year.xlsx?fy=2025")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('FY2025.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(response.data))
    report = service.fiscal_year_report(2025, on=ON)
    assert len(workbook.sheetnames) == len(report.tables)
    for table, name in zip(report.tables, workbook.sheetnames, strict=True):
        sheet = workbook[name]
        assert "令和7年度" in sheet["A1"].value
        assert sheet["A2"].value == table.title
        values = [list(row) for row in sheet.iter_rows(min_row=3, values_only=True)]
        assert values[0] == table.header
        body = [
            [v if v is not None else "" for v in row] for row in values[1 : 1 + len(table.rows)]
        ]
        assert body == table.rows
        if table.footer:
            assert [v if v is not None else "" for v in values[1 + len(table.rows)]] == table.footer


def test_views_and_exports_are_audited(client, city):
    from sqlalchemy import select

    from app.core.models import AuditEvent
    from app.extensions import db

    login(client, city["worker"])
    client.get("/programme/fiscal-year?fy=2025")
    client.get("/programme/fiscal-year.xlsx?fy=2025")
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "programme_report")
    ).all()
    assert actions == ["programme.fiscal_year_viewed", "programme.fiscal_year_exported"]


def test_at_half_past_eleven_utc_on_march_31_the_city_is_in_the_new_year(app, utc_late_evening):
    """08:30 on 4月1日 at the city hall: a referral sent now is the new year's, and the
    report of the new year is the current one."""
    from tests.factories import make_employee
    from tests.referrals.helpers import make_referral

    make_referral(make_employee())
    assert service.available_years()[0] == 2026
    new = service.fiscal_year_report(2026)
    assert new.table("routes").footer[1] == 1 and new.as_of == date(2026, 4, 1)
    assert service.fiscal_year_report(2025).table("routes").footer[1] == 0


@pytest.mark.parametrize("fy", ["99999999999999999999999", "-1", "２０２５", "2025.0", ""])
def test_odd_years_never_fail(client, city, fy):
    login(client, city["worker"])
    assert client.get(f"/programme/fiscal-year?fy={fy}").status_code == 200
    assert client.get(f"/programme/training?fy={fy}&department=abc").status_code == 200


def test_a_department_name_is_never_a_formula_in_the_xlsx(client, city, db):
    city["water"].parent.name_ja = '=HYPERLINK("http://example.invalid","x")'
    db.session.commit()
    login(client, city["worker"])
    workbook = load_workbook(io.BytesIO(client.get("/programme/fiscal-year.xlsx?fy=2025").data))
    sheet = workbook[workbook.sheetnames[2]]
    names = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert '\'=HYPERLINK("http://example.invalid","x")' in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_pages_speak_english_to_an_english_reader(client, city, db):
    city["hr"].locale = "en"
    db.session.commit()
    login(client, city["hr"])
    html = client.get("/programme/training?fy=2026").get_data(as_text=True)
    assert "Training and referrals" in html and "fewer than 5" in html and "5未満" not in html

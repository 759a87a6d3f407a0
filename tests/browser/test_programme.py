"""The programme's figures in Chromium: the 相談室 reads the fiscal-year report, downloads the
XLSX and reads it back, follows training → referrals down to the referrals behind a cell; HR
sees the same aggregate without any way down to a case."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core import clock
from app.programme import service
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from tests.programme.conftest import ON, city  # noqa: F401  (the city with known numbers)


@pytest.fixture(autouse=True)
def december_4th(monkeypatch):
    monkeypatch.setattr(clock, "system_now", lambda: datetime(2026, 12, 4, 3, 0, tzinfo=UTC))


def test_the_office_reads_the_year_downloads_it_and_follows_training_to_referrals(page, city, app):  # noqa: F811
    sign_in(page, city["worker"], PASSWORD)
    page.get_by_role("link", name="事業実績").click()
    page.wait_for_url("**/programme/fiscal-year")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("令和8年度 重層的支援体制整備事業 実績")
    )
    page.select_option("#fy", "2025")
    page.locator("form.filters").get_by_role("button", name="表示").click()
    page.wait_for_url("**/programme/fiscal-year?fy=2025")
    assert page.locator("#table-routes tfoot").inner_text().split() == [
        "合計",
        "5",
        "3",
        "0",
        "1",
        "1",
        "0",
    ]
    assert_accessible(page, "fiscal-year report")

    with page.expect_download() as info:
        page.get_by_role("link", name="市の実績報告用にダウンロード（XLSX）").click()
    assert info.value.suggested_filename == "programme-figures-FY2025.xlsx"
    workbook = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    with app.test_request_context():
        report = service.fiscal_year_report(2025, on=ON)
    summary = workbook[workbook.sheetnames[0]]
    read = {row[0]: row[1] for row in summary.iter_rows(min_row=4, values_only=True) if row[0]}
    assert read == {row[0]: row[1] for row in report.table("summary").rows}

    page.get_by_role("link", name="研修とつなぎ").click()
    page.wait_for_url("**/programme/training")
    assert page.locator("#training-chart rect.bar").count() == 7
    tax_row = page.locator(f'#compare tr[data-department="{city["tax"].id}"]')
    assert "令和7年度 第3四半期" in tax_row.inner_text()
    assert "20.0" in tax_row.inner_text()
    assert_accessible(page, "training and referrals")

    page.select_option("#department", str(city["tax"].id))
    page.locator("form.filters").nth(1).get_by_role("button", name="表示").click()
    assert "税務課" in page.locator("#chart-title").inner_text()
    assert page.locator("#training-chart circle").count() == 7

    page.locator(f'#by-quarter-referrals tr[data-department="{city["tax"].id}"] a').nth(4).click()
    page.wait_for_url("**/programme/training/referrals?*")
    assert page.locator("#referrals tbody tr").count() == 3
    assert "令和8年4月1日" in page.locator("#referrals").inner_text()
    assert_accessible(page, "referrals behind a cell")


def test_hr_sees_the_aggregate_and_nothing_behind_it(page, city):  # noqa: F811
    sign_in(page, city["hr"], PASSWORD)
    assert page.get_by_role("link", name="事業実績").count() == 0
    page.get_by_role("link", name="研修とつなぎ").click()
    page.wait_for_url("**/programme/training")
    assert page.locator("#training-chart").is_visible()
    assert page.locator("#by-quarter-referrals a").count() == 0
    assert "5未満" in page.locator("#by-quarter-referrals").inner_text()
    response = page.goto(
        f"/programme/training/referrals?department={city['tax'].id}&quarter=2026Q1"
    )
    assert response.status == 403
    # The one error the console reports is that refusal.
    assert [e for e in page.recorder.console_errors if "403" not in e] == []
    page.recorder.console_errors.clear()

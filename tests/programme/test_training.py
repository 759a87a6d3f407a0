"""Training → referrals on the city with known numbers: completion per quarter, referrals
per 100 staff, the crossing quarter, before/after, small cells, and who sees what."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from app.core.wareki import FiscalQuarter
from app.extensions import db as _db
from app.programme import chart, training
from app.programme.training import Suppressor
from tests.factories import login, make_employee
from tests.programme.conftest import ON


def _row(report, department):
    return next(r for r in report.rows if r.department.id == department.id)


def test_quarters_run_from_the_previous_year_to_the_running_quarter(app, city):
    report = training.report(2026, on=ON)
    assert [str(q) for q in report.quarters] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
        "2025Q4",
        "2026Q1",
        "2026Q2",
        "2026Q3",
    ]
    assert report.current == FiscalQuarter(2026, 3)


def test_completion_referrals_and_the_april_boundary(app, city):
    report = training.report(2026, on=ON)
    tax = _row(report, city["tax"])
    assert [c.staff for c in tax.cells] == [10] * 7
    assert [c.completion for c in tax.cells] == [0.0, 0.0, 80.0, 80.0, 80.0, 80.0, 80.0]
    # 3月31日 23:30 is the last quarter of 令和7年度; 4月1日 0:10 the first of 令和8年度.
    assert [c.referrals for c in tax.cells] == [1, 1, 1, 1, 3, 2, 0]
    assert [c.accepted for c in tax.cells] == [1, 1, 0, 1, 3, 0, 0]
    assert [c.reached for c in tax.cells] == [1, 0, 0, 1, 0, 0, 0]
    water = _row(report, city["water"])
    assert [c.completion for c in water.cells] == [0.0] * 4 + [40.0] * 3
    assert [c.referrals for c in water.cells] == [0, 0, 0, 1, 0, 1, 0]


def test_the_crossing_quarter_and_before_after(app, city):
    report = training.report(2026, on=ON)
    tax = _row(report, city["tax"])
    assert tax.crossed == FiscalQuarter(2025, 3)
    # Before: 2025Q1–Q2. After: 2025Q4–2026Q2 (2026Q3 is still running).
    assert (tax.before.quarters, tax.before.total.referrals, tax.before.total.staff) == (2, 2, 20)
    assert (tax.after.quarters, tax.after.total.referrals, tax.after.total.staff) == (3, 6, 30)
    assert (tax.after.total.accepted, tax.after.total.reached) == (4, 1)
    assert _row(report, city["water"]).crossed is None


def test_the_threshold_is_a_setting(app, city):
    app.config["PROGRAMME_COMPLETION_THRESHOLD"] = 85
    assert _row(training.report(2026, on=ON), city["tax"]).crossed is None
    app.config["PROGRAMME_COMPLETION_THRESHOLD"] = 40
    assert _row(training.report(2026, on=ON), city["water"]).crossed == FiscalQuarter(2026, 1)


def test_small_cells_are_never_shown_as_numbers():
    shown = Suppressor(5)
    assert [shown.count(n) for n in (0, 1, 4, 5, 12)] == [
        "0",
        "fewer than 5",
        "fewer than 5",
        "5",
        "12",
    ]
    assert shown.share(1, 4) == "—" and shown.share(4, 6) == "67%"
    assert shown.rate(4, 30) == "—" and shown.rate(6, 30) == "20.0" and shown.rate(0, 30) == "0.0"
    assert shown.rate(6, 0) == "—"


def test_the_chart_draws_only_what_the_table_may_show(app, city):
    report = training.report(2026, on=ON)
    drawn = chart.build(report, _row(report, city["tax"]))
    assert [b.value for b in drawn.bars] == ["—"] * 6 + [
        "0.0"
    ]  # one to four referrals: not drawn; none: 0
    assert drawn.crossed_x == drawn.bars[2].cx
    assert len(drawn.dots) == 7 and drawn.dots[2][2] == "80%"
    city_chart = chart.build(report, report.city)
    assert city_chart.bars[4].value == "—"  # 3 in 2026Q1 for the whole city: still a small cell


def _page(client, url="/programme/training?fy=2026"):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_suppresses_small_cells_and_shows_the_comparison(client, city):
    login(client, city["worker"])
    html = _page(client)
    assert "5未満" in html and "<svg" in html and 'id="training-chart"' in html
    tax_row = re.search(
        rf'<tr data-department="{city["tax"].id}">.*?</tr>', html.split('id="compare"')[1], re.S
    ).group(0)
    assert "令和7年度 第3四半期" in tax_row
    assert (
        ">20.0<" in tax_row and ">67%<" in tax_row
    )  # after: 6 referrals over 30 staff-quarters; 4 of 6 accepted
    referrals_table = html.split('id="by-quarter-referrals"')[1].split("</table>")[0]
    assert ">1<" not in referrals_table and ">3<" not in referrals_table


def test_the_office_can_open_the_referrals_behind_a_cell(client, city):
    login(client, city["worker"])
    html = _page(client)
    assert f"/programme/training/referrals?department={city['tax'].id}&amp;quarter=2026Q1" in html
    listing = client.get(
        f"/programme/training/referrals?department={city['tax'].id}&quarter=2026Q1"
    )
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert text.count("R-") == 3 and "令和8年4月1日" in text
    assert (
        client.get(
            f"/programme/training/referrals?department={city['tax'].id}&quarter=2026Q9"
        ).status_code
        == 404
    )


def test_hr_sees_the_aggregate_only(client, city):
    login(client, city["hr"])
    html = _page(client)
    assert "5未満" in html and 'id="compare"' in html
    assert "/programme/training/referrals" not in html and "R-20" not in html
    assert (
        client.get(
            f"/programme/training/referrals?department={city['tax'].id}&quarter=2026Q1"
        ).status_code
        == 403
    )
    assert client.get("/programme/fiscal-year").status_code == 403
    assert client.get("/programme/fiscal-year.xlsx").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/programme/training",
        "/programme/fiscal-year",
        "/programme/fiscal-year.xlsx",
        "/programme/training/referrals?department=1&quarter=2026Q1",
    ],
)
def test_a_plain_employee_is_refused(client, city, url):
    login(client, city["learner"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("who", "training_link", "figures_link"),
    [("hr", True, False), ("worker", True, True), ("learner", False, False)],
)
def test_navigation_by_role(client, city, who, training_link, figures_link):
    login(client, city[who])
    html = _page(client, "/")
    assert ("/programme/training" in html) is training_link
    assert ("/programme/fiscal-year" in html) is figures_link


def _statements(client, url) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)
    return len(statements)


def test_statement_counts_do_not_grow_with_staff_or_referrals(client, city):
    from tests.programme.conftest import jst, refer

    login(client, city["worker"])
    urls = ["/programme/training?fy=2026", "/programme/fiscal-year?fy=2025"]
    before = [_statements(client, u) for u in urls]
    newcomers = [make_employee(department=city["tax"]) for _ in range(15)]
    for i, employee in enumerate(newcomers):
        refer(employee, jst(2025, 6, 1 + i))
    after = [_statements(client, u) for u in urls]
    assert after == before
    assert before[0] <= 10 and before[1] <= 18

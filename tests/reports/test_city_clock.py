"""On a server kept on UTC at 23:30 it is already the next morning at the city hall: the
overdue list, its exports, the days overdue and the chart all go by the city's date."""

import csv
import io
import time
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.courses.models import Assignment
from app.reports import service
from tests.factories import login
from tests.reports import test_dashboard

city = test_dashboard.city  # the same small city hall as the dashboard tests

TOKYO_TODAY = date(2026, 4, 1)  # 2026-03-31 23:30 UTC


def _due_yesterday_in_tokyo(db, city):
    """税務 一郎's second course row: due 31 March, i.e. overdue by one day at the city hall."""
    row = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == city["head"].id, Assignment.course_id == city["starter"].id
        )
    )
    row.due_on = date(2026, 3, 31)
    db.session.commit()


def test_clock_is_the_city_date_whatever_the_server_zone(app, utc_late_evening):
    assert time.localtime().tm_gmtoff == 0  # the process itself is on UTC
    assert clock.today() == TOKYO_TODAY
    assert clock.now().hour == 8 and clock.now().minute == 30
    assert clock.local_date(clock.utcnow()) == TOKYO_TODAY
    assert clock.day_start(TOKYO_TODAY).isoformat() == "2026-03-31T15:00:00"
    app.config["TIME_ZONE"] = "UTC"
    assert clock.today() == date(2026, 3, 31)


def test_overdue_list_csv_and_days_follow_tokyo(app, db, client, utc_late_evening, city):
    _due_yesterday_in_tokyo(db, city)
    login(client, city["admin"])

    html = client.get("/reports/overdue").get_data(as_text=True)
    assert "税務 課長" in html and "2件" in html

    response = client.get("/reports/overdue.csv")
    assert "overdue-2026-04-01.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    days = {r[1]: r[6] for r in rows[1:]}
    assert days == {"税務 遅子": "10", "税務 課長": "1"}
    assert rows[1][5] == "2026-03-22"

    sheet = load_workbook(io.BytesIO(client.get("/reports/overdue.xlsx").data)).active
    assert {r[1]: r[6] for r in list(sheet.iter_rows(values_only=True))[1:]} == {
        "税務 遅子": 10,
        "税務 課長": 1,
    }

    cell = {
        r.department.name_ja: r.cells[city["starter"].id]
        for r in service.matrix(service.Scope(everything=True)).rows
    }
    assert cell["税務課"].overdue == 2


def test_chart_counts_a_completion_on_the_city_day_it_happened(
    app, db, client, utc_late_evening, city
):
    # 税務 一郎 completed at 23:30 UTC on 31 March: 1 April at the city hall, so not in March's figure.
    matrix = service.matrix(service.Scope(everything=True), course_id=city["starter"].id)
    assert matrix.timeline[-2:] == [date(2026, 3, 31), TOKYO_TODAY]
    tax = next(r for r in matrix.rows if r.department.name_ja == "税務課").cells[city["starter"].id]
    assert tax.completed_by[-2:] == [0, 1]

    # A completion at 14:59 UTC on 31 March is still 23:59 on the 31st in Tokyo: March's figure.
    row = db.session.scalar(
        select(Assignment).where(
            Assignment.employee_id == city["clerk"].id, Assignment.course_id == city["starter"].id
        )
    )
    row.completed_at = clock.day_start(TOKYO_TODAY) - timedelta(minutes=1)
    db.session.commit()
    tax = next(
        r
        for r in service.matrix(service.Scope(everything=True), course_id=city["starter"].id).rows
        if r.department.name_ja == "税務課"
    ).cells[city["starter"].id]
    assert tax.completed_by[-2:] == [1, 1]

    login(client, city["admin"])
    html = client.get("/reports/").get_data(as_text=True)
    assert "4月1日" in html and "3月末" in html

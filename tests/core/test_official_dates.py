"""和暦 on official printouts (OFFICIAL_DATE_STYLE, wareki by default; seireki on request):
the certificate, the meeting agenda, the print header of spreadsheet exports — while the data
cells of exports keep 西暦 for the programs that read them."""

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.core import clock
from app.core.i18n import official_date
from app.core.permissions import Role
from app.core.wareki import wareki_date
from app.courses.models import Assignment, Course
from app.referrals import meetings, service
from tests.courses.support import complete_course, content_root, sync
from tests.factories import login, make_department, make_employee
from tests.referrals.helpers import make_referral, office_staff


@pytest.fixture
def seireki(app):
    app.config["OFFICIAL_DATE_STYLE"] = "seireki"
    yield
    app.config["OFFICIAL_DATE_STYLE"] = "wareki"


def test_the_filter_follows_the_setting(app, seireki):
    with app.test_request_context("/"):
        assert official_date(date(2026, 12, 3)) == "2026年12月3日"
        app.config["OFFICIAL_DATE_STYLE"] = "wareki"
        assert official_date(date(2026, 12, 3)) == "令和8年12月3日"
        assert official_date(date(2019, 5, 1)) == "令和元年5月1日"
        # A stored (UTC) moment is dated at the city hall: 23:30 UTC is already the next day.
        assert official_date(datetime(2026, 12, 2, 23, 30)) == "令和8年12月3日"
        assert official_date(None) == ""


def test_an_unknown_style_stops_the_start(app):
    from app import create_app
    from tests.conftest import make_config

    config = make_config(
        (app.config["SQLALCHEMY_DATABASE_URI"], {}),
        Path(app.instance_path),
        OFFICIAL_DATE_STYLE="heisei",
    )
    with pytest.raises(ValueError, match="OFFICIAL_DATE_STYLE"):
        create_app(config)


def test_the_certificate_is_dated_in_wareki_unless_told(app, db, client, tmp_path):
    learner = make_employee(
        department=make_department(code="1020", name_ja="人事課"), name="研修 花子"
    )
    sync(app, content_root(tmp_path))
    complete_course(
        app, learner, db.session.scalar(select(Course).where(Course.slug == "all-staff-tsunagu"))
    )
    login(client, learner)
    today = clock.today()
    html = client.get("/courses/all-staff-tsunagu/certificate").get_data(as_text=True)
    assert f'<p class="certificate__date">{wareki_date(today)}</p>' in html
    app.config["OFFICIAL_DATE_STYLE"] = "seireki"
    try:
        html = client.get("/courses/all-staff-tsunagu/certificate").get_data(as_text=True)
    finally:
        app.config["OFFICIAL_DATE_STYLE"] = "wareki"
    assert f'<p class="certificate__date">{today.year}年{today.month}月{today.day}日</p>' in html


def test_the_meeting_agenda_is_headed_in_wareki(client, db):
    (worker,) = office_staff()
    case = service.triage(
        make_referral(), "accept", "理由", lead_worker_id=worker.id, actor_id=worker.id
    )
    held_on = service.today() + timedelta(days=40)
    case.next_review_on = service.today() + timedelta(days=30)
    db.session.commit()
    meeting = meetings.prepare(held_on, actor_id=worker.id)
    db.session.commit()
    login(client, worker)
    html = client.get(f"/consultation/meetings/{meeting.id}").get_data(as_text=True)
    assert f"{wareki_date(held_on)}" in html.split("</h1>")[0]
    assert wareki_date(case.next_review_on) in html


def test_exports_keep_seireki_cells_under_a_wareki_print_header(app, db, client, tmp_path):
    tax = make_department(code="1040", name_ja="税務課")
    admin = make_employee(
        department=make_department(code="1020", name_ja="人事課"), roles=[Role.TRAINING_ADMIN]
    )
    late = make_employee(department=tax, name="税務 遅子")
    sync(app, content_root(tmp_path))
    db.session.commit()
    row = db.session.scalar(select(Assignment).where(Assignment.employee_id == late.id))
    row.due_on = clock.today() - timedelta(days=10)
    db.session.commit()
    login(client, admin)
    due = row.due_on
    rows = list(
        csv.reader(io.StringIO(client.get("/reports/overdue.csv").data.decode("utf-8-sig")))
    )
    assert due.isoformat() in rows[1]  # what a program reads stays 西暦
    sheet = load_workbook(io.BytesIO(client.get("/reports/overdue.xlsx").data)).active
    assert sheet.oddHeader.right.text == f"作成日 {wareki_date(clock.today())}"
    assert any(
        isinstance(v, datetime) and v.date() == due
        for v in next(sheet.iter_rows(min_row=2, values_only=True))
    )

"""The demo city's history: both programme pages have something to show."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.accounts import demo as accounts_demo
from app.accounts.models import Employee
from app.core import clock
from app.core.wareki import fiscal_year
from app.courses import demo as courses_demo
from app.programme import demo, service, training
from app.referrals import demo as referrals_demo
from app.referrals.models import Meeting, Referral
from tests.factories import PASSWORD_HASH, login

ROOT = Path(__file__).resolve().parents[2]


def test_demo_history_fills_both_pages(app, db, client):
    app.config["CONTENT_ROOT"] = ROOT
    accounts_demo.load()
    courses_demo.load_demo()
    referrals_demo.load()
    message = demo.load()
    assert message and "2年度分" in message
    assert demo.load() is None  # once only

    current = fiscal_year(clock.today())
    for fy in (current - 1, current):
        summary = {row[0]: row[1] for row in service.fiscal_year_report(fy).table("summary").rows}
        assert summary["受付件数（つなぎ・相談）"] >= 20
        assert summary["支援調整会議の開催回数"] >= 3
        assert summary["新規ケース"] >= 5
    assert db.session.scalar(select(func.count(Meeting.id))) >= 12
    proposals = service.fiscal_year_report(current).table("meetings")
    assert proposals.value("終結の提案（見直しで終結可と判断）", "件数") == 2
    assert (
        db.session.scalar(
            select(func.count(Referral.id)).where(Referral.source_department_id.is_(None))
        )
        == 0
    )

    report = training.report(current)
    crossed = [row for row in report.rows if row.crossed is not None and row.after.quarters]
    assert {row.department.code for row in crossed} >= {"1040", "4040"}
    shown = training.Suppressor(report.small_cell)
    assert any(shown.per_quarter_rate(row.after) != "—" for row in crossed)

    worker = db.session.scalar(select(Employee).where(Employee.staff_number == "100004"))
    worker.password_hash = PASSWORD_HASH  # the test password, not the demo's
    db.session.commit()
    login(client, worker)
    assert client.get("/programme/training").status_code == 200
    assert client.get("/programme/fiscal-year").status_code == 200

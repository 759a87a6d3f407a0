"""Labels a clerk reads: one name per page, the 部 filter only where there is a choice, status
tags that say what they mean, error pages titled in words."""

from datetime import timedelta

from app.accounts import demo as accounts_demo
from app.accounts.models import Employee
from app.core.errors import _page
from app.referrals import service
from tests.factories import login
from tests.referrals.helpers import make_referral, office_staff


def _demo_client(app, db, number):
    accounts_demo.load()
    employee = db.session.query(Employee).filter_by(staff_number=number).one()
    client = app.test_client()
    login(client, employee, accounts_demo.DEMO_PASSWORD)
    return client


def test_a_department_head_meets_one_name_and_no_filter_without_a_choice(app, db):
    head = _demo_client(app, db, "100002")
    home = head.get("/").get_data(as_text=True)
    dashboard = head.get("/reports/").get_data(as_text=True)
    department = head.get("/reports/my-department", follow_redirects=True).get_data(as_text=True)
    for html in (home, dashboard, department):
        assert "所属の受講状況" in html and "受講状況ダッシュボード" not in html
    assert "<h1>所属の受講状況</h1>" in dashboard and "<title>所属の受講状況 — " in dashboard
    assert 'name="division"' not in dashboard  # one 部: nothing to choose
    assert 'name="division"' not in head.get("/reports/overdue").get_data(as_text=True)


def test_hr_keeps_the_dashboard_name_and_the_division_filter(app, db):
    hr = _demo_client(app, db, "100003")
    dashboard = hr.get("/reports/").get_data(as_text=True)
    assert "<h1>受講状況ダッシュボード</h1>" in dashboard and 'name="division"' in dashboard


def test_the_too_many_attempts_page_is_titled_in_words(app):
    with app.test_request_context("/login"):
        html, status = _page(429)
    assert status == 429
    assert "<title>試行回数の上限 — " in html and "<title>429" not in html


def test_an_overdue_review_says_so_in_words(client, db):
    (worker,) = office_staff()
    case = service.triage(
        make_referral(), "accept", "理由", lead_worker_id=worker.id, actor_id=worker.id
    )
    case.next_review_on = service.today() - timedelta(days=3)
    db.session.commit()
    login(client, worker)
    html = client.get("/consultation/cases").get_data(as_text=True)
    assert "見直し期限切れ" in html
    case.next_review_on = service.today() + timedelta(days=3)
    db.session.commit()
    assert "見直し期限切れ" not in client.get("/consultation/cases").get_data(as_text=True)

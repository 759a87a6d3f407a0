"""Dates that cannot be are refused with a message beside the field, and what was typed stays:
a timeline entry before the case began or in the future, a next review date already past."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db as _db
from app.referrals import service
from app.referrals.models import CaseEntry, SupportCase
from tests.factories import login
from tests.referrals.helpers import make_referral, office_staff


def _case(client):
    (worker,) = office_staff()
    referral = make_referral()
    login(client, worker)
    client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "新規", "lead_worker_id": worker.id},
    )
    return worker, _db.session.scalar(select(SupportCase))


def _entries(db, kind="contact"):
    return db.session.query(CaseEntry).filter_by(kind=kind).count()


def test_a_contact_before_the_case_began_is_refused(client, db):
    _worker, case = _case(client)
    day_before = service.today() - timedelta(days=1)
    response = client.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "contact", "occurred_on": day_before.isoformat(), "body": "電話で話した"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ケースの始まり" in html and "より前の日付です" in html
    assert (
        'id="occurred_on-error"' in html and "電話で話した" in html
    )  # beside the field; the text kept
    assert _entries(db) == 0
    # On the day the case began it is accepted.
    client.post(
        f"/consultation/cases/{case.id}/entries",
        data={
            "kind": "contact",
            "occurred_on": service.today().isoformat(),
            "body": "電話で話した",
        },
    )
    assert _entries(db) == 1


def test_a_contact_in_the_future_is_refused(client, db):
    _worker, case = _case(client)
    tomorrow = service.today() + timedelta(days=1)
    response = client.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "visit", "occurred_on": tomorrow.isoformat(), "body": "訪問予定"},
    )
    assert response.status_code == 400 and "まだ来ていない日付です" in response.get_data(
        as_text=True
    )
    assert _entries(db, "visit") == 0


def test_a_review_date_in_the_past_is_refused(client, db):
    worker, case = _case(client)
    before = case.next_review_on
    yesterday = service.today() - timedelta(days=1)
    response = client.post(
        f"/consultation/cases/{case.id}/plan",
        data={
            "lead_worker_id": worker.id,
            "risk": "medium",
            "plan_goal": "家計の立て直し",
            "next_review_on": yesterday.isoformat(),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "次回見直し日が過ぎた日付になっています" in html and 'id="next_review_on-error"' in html
    assert "家計の立て直し" in html
    db.session.expire_all()
    assert case.next_review_on == before and case.plan_goal != "家計の立て直し"
    # Today is allowed.
    client.post(
        f"/consultation/cases/{case.id}/plan",
        data={
            "lead_worker_id": worker.id,
            "risk": "medium",
            "plan_goal": "家計の立て直し",
            "next_review_on": service.today().isoformat(),
        },
    )
    db.session.expire_all()
    assert case.next_review_on == service.today()

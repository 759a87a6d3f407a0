"""Caseloads count what they say, page by page, and a handover leaves a note on the timeline."""

from datetime import timedelta

import pytest

from app.casework import service as casework
from app.core import clock
from app.core.models import AuditEvent, utcnow
from app.core.permissions import Role
from app.extensions import db
from app.referrals import cases, service
from app.referrals.models import CaseEntry
from tests.factories import login, make_employee
from tests.referrals.helpers import make_referral, office_staff


def _case(worker, days_open=10, status="open", review_in=30, contact_days_ago=None):
    case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    case.opened_at = utcnow() - timedelta(days=days_open)
    case.next_review_on = clock.today() + timedelta(days=review_in)
    case.status = status
    db.session.commit()
    if contact_days_ago is not None:
        cases.record_entry(
            case,
            "contact",
            "電話",
            clock.today() - timedelta(days=contact_days_ago),
            actor_id=worker.id,
        )
        db.session.commit()
    return case


def test_loads_count_open_paused_long_overdue_and_quiet_cases(app):
    alice, bob = office_staff(2)
    _case(alice, days_open=400, contact_days_ago=3)  # long, contacted
    _case(alice, days_open=40, review_in=-2)  # overdue, never contacted for 40 days
    _case(alice, status="paused", days_open=60, contact_days_ago=45)  # paused, quiet
    _case(alice, days_open=5)  # new: not yet "no contact"
    closed = _case(alice, days_open=500)
    closed.status = "closed"
    db.session.commit()
    _case(bob, days_open=2, contact_days_ago=1)
    loads = {load.worker.id: load for load in casework.loads()}
    a = loads[alice.id]
    assert (a.open, a.paused, a.long, a.overdue, a.no_contact, a.total) == (3, 1, 1, 1, 2, 4)
    b = loads[bob.id]
    assert (b.open, b.paused, b.long, b.overdue, b.no_contact) == (1, 0, 0, 0, 0)


def test_the_caseload_puts_overdue_reviews_first_then_the_longest_without_contact(app):
    (worker,) = office_staff()
    recent = _case(worker, days_open=60, contact_days_ago=2)
    quiet = _case(worker, days_open=60, contact_days_ago=50)
    overdue = _case(worker, days_open=60, review_in=-1, contact_days_ago=1)
    rows = casework.caseload(worker.id).items
    assert [r.case.id for r in rows] == [overdue.id, quiet.id, recent.id]
    assert rows[1].days_since_contact == 50 and rows[0].overdue and not rows[1].overdue


def test_the_caseload_pages(app):
    (worker,) = office_staff()
    for _ in range(3):
        _case(worker)
    first = casework.caseload(worker.id, per_page=2)
    second = casework.caseload(worker.id, page=2, per_page=2)
    assert (
        first.total == 3 and first.pages == 2 and len(first.items) == 2 and len(second.items) == 1
    )
    assert {r.case.id for r in first.items}.isdisjoint({r.case.id for r in second.items})


def test_my_caseload_page_and_the_office_leads_overview(client, app):
    worker, colleague = office_staff(2)
    case = _case(worker, days_open=400, review_in=-3)
    login(client, worker)
    page = client.get("/casework/caseload").get_data(as_text=True)
    assert case.reference in page and "粟田 花子" in page
    assert client.get("/casework/caseloads").status_code == 403
    assert client.get(f"/casework/caseloads/{colleague.id}").status_code == 403
    event = (
        db.session.query(AuditEvent).filter_by(action="case_list.viewed", actor_id=worker.id).one()
    )
    assert event.detail["case_ids"] == [case.id]

    lead = make_employee(roles=[Role.CONSULTATION, Role.CONSULTATION_LEAD])
    office = app.test_client()
    login(office, lead)
    overview = office.get("/casework/caseloads").get_data(as_text=True)
    assert worker.name in overview and colleague.name in overview and "<meter" in overview
    assert case.reference in office.get(f"/casework/caseloads/{worker.id}").get_data(as_text=True)


def test_a_lead_worker_hands_over_with_a_note(client, app):
    worker, colleague = office_staff(2)
    case = _case(worker)
    login(client, worker)
    assert client.get(f"/casework/cases/{case.id}/handover").status_code == 200
    response = client.post(
        f"/casework/cases/{case.id}/handover", data={"to_worker_id": colleague.id, "note": ""}
    )
    assert response.status_code == 400 and "引き継ぎ" in response.get_data(as_text=True)
    response = client.post(
        f"/casework/cases/{case.id}/handover",
        data={"to_worker_id": colleague.id, "note": "長男の就労支援を継続。次回は社協と同行訪問。"},
    )
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.lead_worker_id == colleague.id
    entry = db.session.query(CaseEntry).filter_by(case_id=case.id, code="handed_over").one()
    assert (
        "社協と同行訪問" in entry.body
        and colleague.name in entry.body
        and entry.author_id == worker.id
    )
    event = db.session.query(AuditEvent).filter_by(action="case.handed_over").one()
    assert event.detail == {"from_id": worker.id, "to_id": colleague.id, "entry_id": entry.id}
    # It is no longer the worker's case: they cannot hand it over again.
    assert client.get(f"/casework/cases/{case.id}/handover").status_code == 403


def test_only_the_lead_worker_or_the_office_lead_may_hand_over(app):
    worker, colleague, other = office_staff(3)
    case = _case(worker)
    with pytest.raises(casework.CaseworkError, match="not_yours"):
        casework.handover(case, other.id, "引き継ぎ", actor=colleague, may_reassign_any=False)
    with pytest.raises(casework.CaseworkError, match="lead"):
        casework.handover(
            case, make_employee().id, "引き継ぎ", actor=worker, may_reassign_any=False
        )
    casework.handover(case, other.id, "異動のため", actor=colleague, may_reassign_any=True)
    assert case.lead_worker_id == other.id


def _statements(client, url):
    from sqlalchemy import event

    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_caseload_pages_run_the_same_statements_for_3_or_30_cases(client, app):
    worker, other = office_staff(2)
    lead = make_employee(roles=[Role.CONSULTATION, Role.CONSULTATION_LEAD])
    for i in range(3):
        _case(worker, contact_days_ago=i)
        _case(other)
    login(client, lead)
    urls = ["/casework/caseloads", f"/casework/caseloads/{worker.id}"]
    before = [_statements(client, u) for u in urls]
    for i in range(27):
        _case(worker, contact_days_ago=i % 5)
        _case(other)
    after = [_statements(client, u) for u in urls]
    assert after == before
    assert before[0] <= 12, before

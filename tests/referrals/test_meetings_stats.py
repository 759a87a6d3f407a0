"""The 支援調整会議 agenda and decisions, and the statistics."""

from datetime import timedelta

from sqlalchemy import select

from app.core.models import AuditEvent, utcnow
from app.referrals import cases, meetings, service, statistics
from app.referrals.models import CaseEntry, Referral
from tests.factories import login, make_department, make_employee
from tests.referrals.helpers import make_referral, office_staff


def _case(worker, **kw):
    return service.triage(
        make_referral(**kw), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )


def test_agenda_has_due_stale_and_flagged_cases_and_prints(client, db):
    (worker,) = office_staff()
    today = service.today()
    due = _case(worker)
    due.next_review_on = today - timedelta(days=3)
    flagged = _case(worker)
    flagged.flagged_for_meeting = True
    later = _case(worker)
    closed = _case(worker)
    closed.status = "closed"
    closed.next_review_on = today - timedelta(days=3)
    db.session.commit()
    login(client, worker)
    response = client.post(
        "/consultation/meetings", data={"held_on": (today + timedelta(days=7)).isoformat()}
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert due.reference in page and flagged.reference in page
    assert later.reference not in page and closed.reference not in page
    assert page.index(due.reference) < page.index(flagged.reference)  # review due before flagged
    assert "data-print" in page and "referrals-agenda.js" in page
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "meeting.viewed"))
    assert viewed.actor_id == worker.id and set(viewed.detail["case_ids"]) == {due.id, flagged.id}
    # A case past its review date is also on the stale list.
    assert due.id in [c.id for c, _ in cases.stale_cases()]


def test_decision_goes_into_the_timeline_with_legal_basis_without_consent(client, db):
    (worker,) = office_staff()
    consented = _case(worker, consent="written")
    refused = _case(worker, consent="refused")
    for c in (consented, refused):
        c.flagged_for_meeting = True
    db.session.commit()
    meeting = meetings.prepare(service.today(), actor_id=worker.id)
    db.session.commit()
    items = {item.case_id: item for item in meeting.items}
    login(client, worker)
    url = f"/consultation/meetings/{meeting.id}/items/{items[refused.id].id}"
    prefix = f"item{items[refused.id].id}-"
    response = client.post(
        url, data={prefix + "decision": "社協が訪問する", prefix + "legal_basis": "consent"}
    )
    assert response.status_code == 400 and "社会福祉法第106条の6" in response.get_data(as_text=True)
    response = client.post(
        url, data={prefix + "decision": "社協が訪問する", prefix + "legal_basis": "support_meeting"}
    )
    assert response.status_code == 303
    entry = db.session.scalar(
        select(CaseEntry).where(
            CaseEntry.case_id == refused.id, CaseEntry.kind == "meeting_decision"
        )
    )
    assert (
        entry.body == "社協が訪問する"
        and entry.legal_basis == "support_meeting"
        and entry.meeting_id == meeting.id
    )
    db.session.refresh(refused)
    assert refused.flagged_for_meeting is False and refused.next_review_on > service.today()

    prefix = f"item{items[consented.id].id}-"
    client.post(
        f"/consultation/meetings/{meeting.id}/items/{items[consented.id].id}",
        data={prefix + "decision": "継続"},
    )
    entry = db.session.scalar(
        select(CaseEntry).where(
            CaseEntry.case_id == consented.id, CaseEntry.kind == "meeting_decision"
        )
    )
    assert entry.legal_basis == "consent"
    page = client.get(f"/consultation/cases/{refused.id}").get_data(as_text=True)
    assert "支援会議（社会福祉法第106条の6）" in page


def test_statistics_count_by_department_contact_age_and_reason(client, db):
    worker, colleague = office_staff(2)
    tax = make_department(name_ja="税務課")
    water = make_department(name_ja="上下水道課")
    tax_clerk, water_clerk = make_employee(department=tax), make_employee(department=water)
    a = _case(worker, referrer=tax_clerk)
    make_referral(tax_clerk)
    _case(worker, referrer=water_clerk)
    referral = db.session.scalar(select(Referral).where(Referral.case_id == a.id))
    referral.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    cases.record_entry(a, "contact", "電話", service.today(), actor_id=worker.id)
    db.session.commit()
    span, rows, totals = statistics.referrals_by_department(12)
    assert {r.name: r.total for r in rows} == {"税務課": 2, "上下水道課": 1} and totals[
        -1
    ] + totals[-2] == 3
    contact = [r for r in statistics.time_to_first_contact(12) if r.referrals]
    assert sum(r.contacted for r in contact) == 1
    assert any(r.median_days is not None and 1.5 <= r.median_days <= 2.5 for r in contact)
    assert dict((label, n) for label, n, _o in statistics.open_cases_by_age())["<1"] == 2
    login(client, worker)
    client.post(
        f"/consultation/cases/{a.id}/closure",
        data={"closure-reason": "moved", "closure-summary": "転出"},
    )
    other = client.application.test_client()
    login(other, colleague)
    other.post(f"/consultation/cases/{a.id}/closure/approve")
    assert statistics.closures_by_reason() == [("moved", 1)]
    page = client.get("/consultation/statistics").get_data(as_text=True)
    assert "<svg" in page and 'class="chart__bar"' in page and "税務課" in page and "転出" in page
    assert "style=" not in page.split("<main")[1]


def test_bar_chart_geometry():
    chart = statistics.bar_chart(["1", "2", "3"], [0, 4, 8])
    heights = [b["h"] for b in chart["bars"]]
    assert heights[0] == 0 and heights[2] == 2 * heights[1] and heights[2] > 0
    assert chart["ticks"][-1]["value"] >= 8


def test_bar_chart_draws_a_few_gridlines_whatever_the_peak():
    for peak, step in ((3, 1), (8, 2), (25, 5), (40, 10), (5000, 1000), (12345, 5000)):
        chart = statistics.bar_chart(["1", "2"], [0, peak])
        values = [t["value"] for t in chart["ticks"]]
        assert values[1] - values[0] == step and values[-1] >= peak and len(values) <= 6

"""A partner sees only its agency's cases, and of them only what the lead worker shared."""

from datetime import timedelta

import pytest

from app.core.models import AuditEvent
from app.extensions import db
from app.partners import service as partners
from app.referrals import cases, service
from app.referrals.models import CaseEntry
from tests.factories import login
from tests.partners.helpers import make_agency, make_partner, shared_case


def _entry(case, body, kind="note"):
    entry = cases.record_entry(case, kind, body, service.today(), actor_id=case.lead_worker_id)
    db.session.commit()
    return entry


def test_a_partner_lists_only_the_cases_where_its_agency_has_an_active_role(client):
    mine, other = make_agency(), make_agency("芦原地域包括支援センター", "community_support_center")
    case, _worker = shared_case(mine)
    elsewhere, _ = shared_case(other)
    ended, _ = shared_case(mine)
    cases.end_agency(ended, ended.agencies[0].id, actor_id=ended.lead_worker_id)
    db.session.commit()
    login(client, make_partner(mine))
    page = client.get("/partners").get_data(as_text=True)
    assert case.reference in page
    assert elsewhere.reference not in page and ended.reference not in page
    assert client.get(f"/partners/cases/{case.id}").status_code == 200
    assert client.get(f"/partners/cases/{elsewhere.id}").status_code == 404
    assert client.get(f"/partners/cases/{ended.id}").status_code == 404
    assert (
        client.post(
            f"/partners/cases/{elsewhere.id}/entries",
            data={"kind": "visit", "body": "x", "occurred_on": service.today().isoformat()},
        ).status_code
        == 404
    )


def test_a_closed_case_is_no_longer_shown(client):
    agency = make_agency()
    case, worker = shared_case(agency)
    case.status = "closed"
    db.session.commit()
    login(client, make_partner(agency))
    assert client.get(f"/partners/cases/{case.id}").status_code == 404


def test_only_the_shared_fields_are_shown(client):
    agency = make_agency()
    case, worker = shared_case(agency)
    case.plan_goal = "家計を立て直す"
    db.session.commit()
    login(client, make_partner(agency))
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "粟田" not in page and "家計を立て直す" not in page and "金津地区" not in page
    partners.set_sharing(
        case, agency.id, fields=["area"], entry_ids=[], support_meeting_member=False, actor=worker
    )
    db.session.commit()
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "金津地区" in page and "粟田" not in page and "家計を立て直す" not in page
    partners.set_sharing(
        case,
        agency.id,
        fields=["area", "household", "plan_goal"],
        entry_ids=[],
        support_meeting_member=False,
        actor=worker,
    )
    db.session.commit()
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "粟田 花子" in page and "家計を立て直す" in page


def test_timeline_entries_are_shared_one_by_one(client):
    agency = make_agency()
    case, worker = shared_case(agency)
    shared = _entry(case, "長男と面談し、就労の希望を聞いた。")
    private = _entry(case, "税務課と分納について協議。")
    partners.set_sharing(
        case,
        agency.id,
        fields=[],
        entry_ids=[shared.id],
        support_meeting_member=False,
        actor=worker,
    )
    db.session.commit()
    login(client, make_partner(agency))
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "長男と面談し" in page and "税務課と分納" not in page
    assert private.id not in partners.shared_entry_ids(case.id, agency.id)


def test_without_consent_identifying_details_need_the_support_meeting(client):
    agency = make_agency()
    login_worker_case, worker = shared_case(agency, consent="unconfirmed")
    case = login_worker_case
    note = _entry(case, "近所の方から、夜に大声がすると聞いた。")
    with pytest.raises(partners.PartnerError, match="basis"):
        partners.set_sharing(
            case,
            agency.id,
            fields=["household"],
            entry_ids=[],
            support_meeting_member=False,
            actor=worker,
        )
    db.session.rollback()
    with pytest.raises(partners.PartnerError, match="basis"):
        partners.set_sharing(
            case,
            agency.id,
            fields=[],
            entry_ids=[note.id],
            support_meeting_member=False,
            actor=worker,
        )
    db.session.rollback()
    # Not identifying: shared without a basis.
    partners.set_sharing(
        case, agency.id, fields=["risk"], entry_ids=[], support_meeting_member=False, actor=worker
    )
    db.session.commit()
    partners.set_sharing(
        case,
        agency.id,
        fields=["risk", "household"],
        entry_ids=[note.id],
        support_meeting_member=True,
        actor=worker,
    )
    db.session.commit()
    joined = (
        db.session.query(CaseEntry).filter_by(case_id=case.id, code="support_meeting_joined").one()
    )
    assert joined.legal_basis == "support_meeting"
    login(client, make_partner(agency))
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "粟田 花子" in page and "夜に大声" in page
    event = (
        db.session.query(AuditEvent)
        .filter_by(action="partner_case.viewed")
        .order_by(AuditEvent.id.desc())
        .first()
    )
    assert event.detail["basis"] == "support_meeting" and "household" in event.detail["fields"]
    assert note.id in event.detail["entry_ids"]
    # Leaving the meeting takes the identifying details and the entries away at once.
    partners.set_sharing(
        case, agency.id, fields=["risk"], entry_ids=[], support_meeting_member=False, actor=worker
    )
    db.session.commit()
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "粟田" not in page and "夜に大声" not in page


def test_a_stored_share_is_not_shown_once_its_basis_is_gone(client):
    agency = make_agency()
    case, worker = shared_case(agency, consent="verbal")
    note = _entry(case, "本人と電話で話した。", kind="contact")
    partners.set_sharing(
        case,
        agency.id,
        fields=["household"],
        entry_ids=[note.id],
        support_meeting_member=False,
        actor=worker,
    )
    db.session.commit()
    login(client, make_partner(agency))
    assert "粟田 花子" in client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    case.consent = "refused"  # the resident withdrew consent
    db.session.commit()
    page = client.get(f"/partners/cases/{case.id}").get_data(as_text=True)
    assert "粟田" not in page and "本人と電話で話した" not in page


def test_a_partner_visit_reaches_the_lead_workers_queue_and_the_referrer(client, app):
    agency = make_agency()
    case, worker = shared_case(agency)
    referral = case.referrals[0]
    assert referral.first_contact_at is None
    login(client, make_partner(agency))
    response = client.post(
        f"/partners/cases/{case.id}/entries",
        data={
            "kind": "visit",
            "body": "自宅を訪問し、本人と玄関先で話した。",
            "occurred_on": service.today().isoformat(),
        },
    )
    assert response.status_code == 303
    entry = db.session.query(CaseEntry).filter_by(case_id=case.id, kind="visit").one()
    assert entry.agency_id == agency.id and entry.acknowledged_at is None
    db.session.refresh(referral)
    assert (
        referral.first_contact_at is not None and service.referrer_status(referral) == "connected"
    )
    assert (
        db.session.query(AuditEvent)
        .filter_by(action="case.partner_entry_added", object_id=str(case.id))
        .count()
        == 1
    )
    assert partners.unread_update_count(worker.id) == 1

    office = app.test_client()
    login(office, worker)
    queue = office.get("/consultation/partner-updates").get_data(as_text=True)
    assert "玄関先で話した" in queue and case.reference in queue
    assert office.post(f"/consultation/partner-updates/{entry.id}/read").status_code == 303
    assert partners.unread_update_count(worker.id) == 0
    assert "玄関先で話した" not in office.get("/consultation/partner-updates").get_data(
        as_text=True
    )


def test_bad_partner_entries_are_refused_with_a_message(client):
    agency = make_agency()
    case, _worker = shared_case(agency)
    login(client, make_partner(agency))
    tomorrow = (service.today() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/partners/cases/{case.id}/entries",
        data={"kind": "visit", "body": "訪問した。", "occurred_on": tomorrow},
    )
    assert response.status_code == 400
    assert "未来の日付" in response.get_data(as_text=True)
    response = client.post(
        f"/partners/cases/{case.id}/entries",
        data={
            "kind": "meeting_decision",
            "body": "決定",
            "occurred_on": service.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert db.session.query(CaseEntry).filter(CaseEntry.agency_id.is_not(None)).count() == 0


def test_the_sharing_page_saves_and_refuses_without_a_basis(client, app):
    agency = make_agency()
    case, worker = shared_case(agency, consent="unconfirmed")
    login(client, worker)
    url = f"/consultation/cases/{case.id}/sharing/{agency.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"fields": ["area", "household"]})
    assert response.status_code == 400 and "支援会議" in response.get_data(as_text=True)
    assert partners.shared_fields(case.id, agency.id) == []
    assert (
        client.post(
            url, data={"fields": ["area", "household"], "support_meeting_member": "y"}
        ).status_code
        == 303
    )
    assert partners.shared_fields(case.id, agency.id) == ["area", "household"]
    event = db.session.query(AuditEvent).filter_by(action="case.sharing_changed").one()
    assert event.detail["basis"] == "support_meeting"


def test_an_ended_agency_locks_its_staff_out(client):
    agency = make_agency()
    case, _worker = shared_case(agency)
    partner = make_partner(agency)
    login(client, partner)
    assert client.get("/partners").status_code == 200
    partners.update_agency(agency, agency.name, agency.kind, False, None)
    db.session.commit()
    assert client.get("/partners").status_code in (302, 403)


def test_a_partner_visit_on_an_earlier_day_counts_from_that_days_start_in_the_city(client, app):
    from app.core import clock

    agency = make_agency()
    case, _worker = shared_case(agency)
    yesterday = service.today() - timedelta(days=1)
    login(client, make_partner(agency))
    response = client.post(
        f"/partners/cases/{case.id}/entries",
        data={"kind": "visit", "body": "自宅を訪問した。", "occurred_on": yesterday.isoformat()},
    )
    assert response.status_code == 303
    db.session.refresh(case)
    # the same rule as the 相談室's own entries: the start of that day in the city's time zone
    assert case.first_contact_at == clock.day_start(yesterday)

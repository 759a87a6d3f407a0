"""The closed loop: triage, cases, first contact, pause, closure with approval, reopening."""

from datetime import timedelta

from sqlalchemy import select

from app.core.models import AuditEvent, utcnow
from app.referrals import cases, service
from app.referrals.models import CaseEntry, Referral, SupportCase
from tests.factories import login, make_department, make_employee
from tests.referrals.helpers import form_data, make_referral, office_staff


def _status_of(client, reference):
    page = client.get("/refer/mine").get_data(as_text=True)
    row = page.split(reference)[1].split("</tr>")[0]
    return row


def test_referrer_sees_coarse_status_follow_the_office(client, db):
    worker, colleague = office_staff(2)
    clerk = make_employee(department=make_department(name_ja="税務課"))
    login(client, clerk)
    client.post("/refer", data=form_data(observed="内密の観察メモ"))
    referral = db.session.scalar(select(Referral))
    assert "受付済" in _status_of(client, referral.reference)

    office = client.application.test_client()
    login(office, worker)
    response = office.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "複合課題のため", "lead_worker_id": worker.id},
    )
    assert response.status_code == 303
    case = db.session.scalar(select(SupportCase))
    assert case.lead_worker_id == worker.id and case.status == "open"
    assert case.next_review_on == service.today() + timedelta(days=91)
    assert "対応中" in _status_of(client, referral.reference)

    office.post(
        f"/consultation/cases/{case.id}/entries",
        data={
            "kind": "contact",
            "occurred_on": service.today().isoformat(),
            "body": "電話で本人と話した",
        },
    )
    db.session.expire_all()
    assert case.first_contact_at is not None
    mine = client.get("/refer/mine").get_data(as_text=True)
    assert "つながりました" in _status_of(client, referral.reference)
    assert (
        "内密の観察メモ" not in mine
        and "電話で本人と話した" not in mine
        and case.reference not in mine
    )

    # Closing needs a second member of the office.
    office.post(
        f"/consultation/cases/{case.id}/closure",
        data={
            "closure-reason": "goal_met",
            "closure-summary": "目標達成",
            "closure-follow_up": "地域包括",
        },
    )
    office.post(f"/consultation/cases/{case.id}/closure/approve")
    db.session.expire_all()
    assert case.status == "open" and case.closure_pending
    second = client.application.test_client()
    login(second, colleague)
    second.post(f"/consultation/cases/{case.id}/closure/approve")
    db.session.expire_all()
    assert case.status == "closed" and case.closure_approved_by_id == colleague.id
    assert "対応終了" not in _status_of(
        client, referral.reference
    )  # it was reached: stays connected

    second.post(f"/consultation/cases/{case.id}/reopen", data={"reopen-reason": "再度の相談"})
    db.session.expire_all()
    assert case.status == "open" and case.closed_at is None
    codes = [
        e.code for e in db.session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id))
    ]
    assert {"opened", "closed", "reopened"} <= set(codes)
    actions = {e.action for e in db.session.scalars(select(AuditEvent))}
    assert {
        "referral.created",
        "referral.viewed",
        "referral.triaged",
        "case.opened",
        "case.entry_added",
        "case.closure_requested",
        "case.closed",
        "case.reopened",
    } <= actions | {"referral.viewed"}


def test_redirect_and_information_only_close_the_referral_for_the_referrer(client, db):
    (worker,) = office_staff()
    clerk = make_employee()
    a = make_referral(clerk)
    b = make_referral(clerk)
    login(client, worker)
    client.post(
        f"/consultation/referrals/{a.id}/triage",
        data={"action": "redirect", "reason": "高齢のみ", "redirected_to": "地域包括支援センター"},
    )
    client.post(
        f"/consultation/referrals/{b.id}/triage",
        data={"action": "info_only", "reason": "既に支援中"},
    )
    db.session.expire_all()
    assert (a.status, a.redirected_to) == ("redirected", "地域包括支援センター")
    assert service.referrer_status(a) == "closed" and service.referrer_status(b) == "closed"


def test_each_decision_needs_a_reason_and_its_details(client, db):
    (worker,) = office_staff()
    referral = make_referral()
    login(client, worker)
    assert (
        client.post(
            f"/consultation/referrals/{referral.id}/triage",
            data={"action": "info_only", "reason": ""},
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/consultation/referrals/{referral.id}/triage",
            data={"action": "accept", "reason": "x"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/consultation/referrals/{referral.id}/triage",
            data={"action": "redirect", "reason": "x"},
        ).status_code
        == 400
    )
    learner = make_employee()
    response = client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "x", "lead_worker_id": learner.id},
    )
    assert response.status_code == 400  # the lead worker must be consultation staff
    db.session.expire_all()
    assert referral.status == "new"


def test_link_suggests_same_household_by_kana_and_area(client, db):
    (worker,) = office_staff()
    first = make_referral(resident_name="粟田 花子", resident_kana="アワタ ハナコ", area="金津地区")
    login(client, worker)
    client.post(
        f"/consultation/referrals/{first.id}/triage",
        data={"action": "accept", "reason": "新規", "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    same = make_referral(resident_name="粟田 はなこ", resident_kana="ｱﾜﾀ ﾊﾅｺ", area="芦原地区")
    family = make_referral(
        resident_name="粟田 一郎", resident_kana="アワタ イチロウ", area="金津地区"
    )
    stranger = make_referral(
        resident_name="北潟 次郎", resident_kana="キタガタ ジロウ", area="金津地区"
    )
    assert [(c.id, why) for c, why in service.suggest_matches(same)] == [(case.id, "same_name")]
    assert [(c.id, why) for c, why in service.suggest_matches(family)] == [
        (case.id, "same_family_and_area")
    ]
    assert service.suggest_matches(stranger) == []
    page = client.get(f"/consultation/referrals/{same.id}").get_data(as_text=True)
    assert 'id="match-list"' in page and case.reference in page.split('id="match-list"')[1]

    client.post(
        f"/consultation/referrals/{same.id}/triage",
        data={"action": "link", "reason": "同一世帯", "case_id": case.id},
    )
    db.session.expire_all()
    assert same.status == "linked" and same.case_id == case.id
    assert service.referrer_status(same) == "in_progress"


def test_inbox_puts_new_and_urgent_first(client, db):
    (worker,) = office_staff()
    routine = make_referral()
    urgent = make_referral(urgency="life_risk")
    new, _done = service.inbox()
    assert [r.id for r in new] == [urgent.id, routine.id]
    login(client, worker)
    page = client.get("/consultation/inbox").get_data(as_text=True)
    assert page.index(urgent.reference) < page.index(routine.reference)
    assert "粟田" not in page  # names only on the detail page


def test_review_date_sooner_for_high_risk_and_validated(client, db, app):
    (worker,) = office_staff()
    referral = make_referral(urgency="life_risk")
    login(client, worker)
    client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "緊急", "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    assert case.risk == "high" and case.next_review_on == service.today() + timedelta(days=30)
    too_late = (service.today() + timedelta(days=60)).isoformat()
    response = client.post(
        f"/consultation/cases/{case.id}/plan",
        data={
            "lead_worker_id": worker.id,
            "risk": "high",
            "plan_goal": "生活の安定",
            "next_review_on": too_late,
        },
    )
    assert response.status_code == 400
    client.post(
        f"/consultation/cases/{case.id}/plan",
        data={
            "lead_worker_id": worker.id,
            "risk": "medium",
            "plan_goal": "生活の安定",
            "next_review_on": too_late,
        },
    )
    db.session.expire_all()
    assert case.plan_goal == "生活の安定" and case.next_review_on.isoformat() == too_late


def test_lead_change_agency_and_members_are_on_the_timeline(client, db):
    worker, colleague = office_staff(2)
    referral = make_referral()
    login(client, worker)
    client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "新規", "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    client.post(
        f"/consultation/cases/{case.id}/plan",
        data={
            "lead_worker_id": colleague.id,
            "risk": "medium",
            "plan_goal": "",
            "next_review_on": case.next_review_on.isoformat(),
        },
    )
    client.post(
        f"/consultation/cases/{case.id}/agencies",
        data={"agency-name": "社会福祉協議会", "agency-role": "家計改善支援"},
    )
    client.post(
        f"/consultation/cases/{case.id}/members",
        data={
            "member-name": "粟田 太郎",
            "member-kana": "アワタ タロウ",
            "member-relationship_note": "長男 50代",
        },
    )
    db.session.expire_all()
    assert case.lead_worker_id == colleague.id
    assert [a.name for a in case.agencies] == ["社会福祉協議会"]
    assert [m.relationship_note for m in case.members][-1] == "長男 50代"
    assert [e.code for e in case.entries if e.kind == "role_change"] == [
        "agency_added",
        "lead_changed",
    ]
    # A member's kana finds the case.
    assert [c.id for c in cases.list_cases(kana="あわた たろう")] == [case.id]


def test_pause_is_not_close(client, db):
    (worker,) = office_staff()
    referral = make_referral()
    login(client, worker)
    client.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "新規", "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    client.post(f"/consultation/cases/{case.id}/pause", data={"pause-reason": "入院中"})
    db.session.expire_all()
    assert case.status == "paused" and case.closed_at is None
    assert service.referrer_status(referral) == "in_progress"
    case.next_review_on = service.today() - timedelta(days=1)
    db.session.commit()
    assert case.id in [c.id for c, _ in cases.stale_cases()]  # paused cases are still reviewed
    client.post(f"/consultation/cases/{case.id}/resume")
    db.session.expire_all()
    assert case.status == "open"


def test_stale_list_oldest_first(client, db, app):
    (worker,) = office_staff()
    today = service.today()
    made = []
    for _ in range(3):
        referral = make_referral()
        made.append(
            service.triage(referral, "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id)
        )
    review_passed, quiet, fine = made
    review_passed.next_review_on = today - timedelta(days=5)
    quiet.last_activity_at = utcnow() - timedelta(days=app.config["CASE_STALE_DAYS"] + 20)
    db.session.commit()
    rows = cases.stale_cases()
    assert [c.id for c, _ in rows] == [quiet.id, review_passed.id]
    login(client, worker)
    page = client.get("/consultation/cases/stale").get_data(as_text=True)
    assert page.index(quiet.reference) < page.index(review_passed.reference)
    assert fine.reference not in page


def test_closed_case_cannot_get_new_entries(client, db):
    worker, colleague = office_staff(2)
    case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    db.session.commit()
    login(client, worker)
    client.post(
        f"/consultation/cases/{case.id}/closure",
        data={"closure-reason": "moved", "closure-summary": "転出", "closure-follow_up": ""},
    )
    other = client.application.test_client()
    login(other, colleague)
    other.post(f"/consultation/cases/{case.id}/closure/approve")
    before = db.session.query(CaseEntry).count()
    client.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "note", "occurred_on": service.today().isoformat(), "body": "x"},
    )
    assert db.session.query(CaseEntry).count() == before


def test_case_search_is_posted_not_in_the_url(client, db):
    (worker,) = office_staff()
    case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    db.session.commit()
    login(client, worker)
    page = client.post(
        "/consultation/cases", data={"kana": "アワタ ハナコ", "status": "active"}
    ).get_data(as_text=True)
    assert case.reference in page
    assert 'method="post"' in page.split('role="search"')[0].rsplit("<form", 1)[1]
    page = client.post("/consultation/cases", data={"kana": "ベツジン", "status": "all"}).get_data(
        as_text=True
    )
    assert case.reference not in page


def test_a_rejected_entry_keeps_the_page_and_the_plan(client, db):
    (worker,) = office_staff()
    case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    cases.update_plan(
        case,
        lead_worker_id=worker.id,
        risk="medium",
        plan_goal="家計の立て直し",
        next_review_on=case.next_review_on,
        flagged_for_meeting=False,
        actor_id=worker.id,
    )
    db.session.commit()
    login(client, worker)
    response = client.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "note", "occurred_on": "", "body": ""},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "内容を入力してください。" in page and "家計の立て直し" in page.split('id="plan"')[1]

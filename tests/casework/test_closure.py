"""Closure as a prepared decision: a review records readiness, the meeting decides."""

import re
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from app.casework import service as casework
from app.casework.models import CaseReview, FollowUpCheck
from app.core import clock
from app.core.models import AuditEvent
from app.extensions import db
from app.referrals import cases, meetings, service
from app.referrals.models import CaseEntry, MeetingItem
from tests.factories import login
from tests.referrals.helpers import make_referral, office_staff


def _case(worker, consent="verbal"):
    referral = make_referral(
        consent=consent,
        legal_basis="consent" if consent in ("verbal", "written") else "child_abuse",
    )
    case = service.triage(referral, "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id)
    db.session.commit()
    return case


def _ready(**overrides):
    values = dict(
        summary="就労が決まり、家計も安定した。",
        ready=True,
        criterion="goal_met",
        closure_summary="目標を達成。",
        follow_up="社会福祉協議会",
        follow_up_on=clock.today() + timedelta(days=90),
    )
    values.update(overrides)
    return casework.ReviewInput(**values)


def test_a_continuing_review_sets_the_next_review_and_writes_the_timeline(app):
    (worker,) = office_staff()
    case = _case(worker)
    on = clock.today() + timedelta(days=40)
    review = casework.record_review(
        case,
        casework.ReviewInput(summary="面談を継続。", ready=False, next_review_on=on),
        actor=worker,
    )
    db.session.commit()
    assert case.next_review_on == on and review.readiness == "continue"
    entry = db.session.get(CaseEntry, review.entry_id)
    assert entry.kind == "review" and entry.body == "面談を継続。"
    with pytest.raises(casework.CaseworkError, match="next_review_on"):
        casework.record_review(
            case,
            casework.ReviewInput(
                summary="x", ready=False, next_review_on=clock.today() + timedelta(days=400)
            ),
            actor=worker,
        )


def test_refused_or_unreachable_needs_the_agreed_attempts_counted_on_the_timeline(app):
    (worker,) = office_staff()
    case = _case(worker)
    assert app.config["CASE_CLOSURE_ATTEMPTS"] == 3
    cases.record_entry(case, "attempt", "訪問したが不在。", clock.today(), actor_id=worker.id)
    cases.record_entry(case, "attempt", "電話に出ない。", clock.today(), actor_id=worker.id)
    db.session.commit()
    assert casework.attempts(case.id) == 2
    with pytest.raises(casework.CaseworkError, match="attempts"):
        casework.record_review(case, _ready(criterion="unreachable"), actor=worker)
    db.session.rollback()
    cases.record_entry(case, "visit", "玄関先で支援を断られた。", clock.today(), actor_id=worker.id)
    review = casework.record_review(case, _ready(criterion="refused"), actor=worker)
    assert review.attempts == 3 and review.pending


def test_handed_over_needs_an_agency_with_an_active_role(app):
    (worker,) = office_staff()
    case = _case(worker)
    with pytest.raises(casework.CaseworkError, match="no_agency"):
        casework.record_review(case, _ready(criterion="handed_over"), actor=worker)
    db.session.rollback()
    cases.add_agency(case, "地域包括支援センター", "見守りの主担当", actor_id=worker.id)
    db.session.commit()
    assert (
        casework.record_review(case, _ready(criterion="handed_over"), actor=worker).criterion
        == "handed_over"
    )


def test_a_ready_case_comes_onto_the_agenda_as_a_closure_proposal(app):
    (worker,) = office_staff()
    case = _case(worker)
    other = _case(worker)
    casework.record_review(case, _ready(), actor=worker)
    db.session.commit()
    candidates = dict(
        (c.id, reasons)
        for c, reasons in meetings.agenda_candidates(clock.today() + timedelta(days=7))
    )
    assert candidates[case.id] == ["closure_proposed"]
    assert other.id not in candidates


def _meeting_with(case):
    meeting = meetings.prepare(clock.today() + timedelta(days=1), actor_id=None)
    db.session.commit()
    return meeting, next(i for i in meeting.items if i.case_id == case.id)


def _decide(client, meeting, item, outcome: str, decision: str, **fields):
    """The chair records the meeting's decision on a closure proposal (consent as the basis)."""
    data = {"outcome": outcome, "decision": decision, "legal_basis": "consent", **fields}
    return client.post(
        f"/casework/meetings/{meeting.id}/items/{item.id}/closure",
        data={f"closure{item.id}-{name}": value for name, value in data.items()},
    )


def test_the_meetings_decision_closes_the_case_with_the_second_approval(app):
    proposer, chair = office_staff(2)
    case = _case(proposer)
    casework.record_review(case, _ready(), actor=proposer)
    db.session.commit()
    meeting, item = _meeting_with(case)
    casework.decide_closure(
        item,
        close=True,
        decision="終結とする。",
        legal_basis="consent",
        next_review_on=None,
        actor=chair,
    )
    db.session.commit()
    assert case.status == "closed" and case.closure_reason == "goal_met"
    assert case.closure_requested_by_id == proposer.id and case.closure_approved_by_id == chair.id
    assert db.session.query(CaseReview).one().outcome == "closed"
    check = db.session.query(FollowUpCheck).one()
    assert check.worker_id == proposer.id and check.due_on == clock.today() + timedelta(days=90)
    event = db.session.query(AuditEvent).filter_by(action="case.closed").one()
    assert event.detail["meeting_id"] == meeting.id and event.detail["reason"] == "goal_met"
    # The reminder appears when its day has come.
    assert casework.follow_ups_due(proposer.id) == []
    assert casework.follow_ups_due(proposer.id, clock.today() + timedelta(days=90)) == [check]


def test_the_proposer_recording_the_decision_still_needs_a_colleague(app):
    (proposer,) = office_staff()
    case = _case(proposer)
    casework.record_review(case, _ready(), actor=proposer)
    db.session.commit()
    _meeting, item = _meeting_with(case)
    casework.decide_closure(
        item,
        close=True,
        decision="終結とする。",
        legal_basis="consent",
        next_review_on=None,
        actor=proposer,
    )
    db.session.commit()
    assert (
        case.status == "open"
        and case.closure_pending
        and case.closure_requested_by_id == proposer.id
    )


def test_the_meeting_may_keep_the_case_open_with_a_next_review(app):
    proposer, chair = office_staff(2)
    case = _case(proposer, consent="unconfirmed")
    casework.record_review(case, _ready(), actor=proposer)
    db.session.commit()
    _meeting, item = _meeting_with(case)
    later = clock.today() + timedelta(days=20)
    with pytest.raises(meetings.MeetingError, match="legal_basis"):
        casework.decide_closure(
            item,
            close=False,
            decision="継続。",
            legal_basis="consent",
            next_review_on=later,
            actor=chair,
        )
    db.session.rollback()
    casework.decide_closure(
        item,
        close=False,
        decision="継続。",
        legal_basis="support_meeting",
        next_review_on=later,
        actor=chair,
    )
    db.session.commit()
    assert case.status == "open" and case.next_review_on == later
    assert db.session.query(CaseReview).one().outcome == "continued"
    assert db.session.query(FollowUpCheck).count() == 0
    assert casework.proposed_case_ids(clock.today() + timedelta(days=30)) == []


def test_the_agenda_page_shows_the_proposal_and_its_decision_form(client, app):
    proposer, chair = office_staff(2)
    case = _case(proposer)
    casework.record_review(case, _ready(), actor=proposer)
    db.session.commit()
    meeting, item = _meeting_with(case)
    login(client, chair)
    page = client.get(f"/consultation/meetings/{meeting.id}").get_data(as_text=True)
    assert f'id="closure-proposal-{case.id}"' in page and "目標を達成。" in page
    response = _decide(client, meeting, item, "close", "終結とする。")
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.status == "closed"


def _forms(section: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', section)


def test_an_item_with_a_closure_proposal_has_only_the_closure_decision_form(client, app):
    proposer, chair = office_staff(2)
    proposed = _case(proposer)
    casework.record_review(proposed, _ready(), actor=proposer)
    other = _case(proposer)
    other.flagged_for_meeting = True
    db.session.commit()
    meeting, item = _meeting_with(proposed)
    other_item = next(i for i in meeting.items if i.case_id == other.id)
    login(client, chair)
    url = f"/consultation/meetings/{meeting.id}"
    page = client.get(url).get_data(as_text=True)
    sections = dict(
        re.findall(r'<section class="agenda-item" id="item-(\d+)">(.*?)</section>', page, re.S)
    )
    with app.test_request_context():
        closure = url_for("casework.closure_decision", meeting_id=meeting.id, item_id=item.id)
        generic = url_for("referrals.meeting_decision", meeting_id=meeting.id, item_id=item.id)
        other_generic = url_for(
            "referrals.meeting_decision", meeting_id=meeting.id, item_id=other_item.id
        )
    assert _forms(sections[str(item.id)]) == [closure]
    assert generic not in page and "Record the decision</button>" not in sections[str(item.id)]
    assert _forms(sections[str(other_item.id)]) == [other_generic]
    # Once decided, the item shows the recorded decision and no form at all.
    _decide(
        client,
        meeting,
        item,
        "continue",
        "継続して支援する。",
        next_review_on=(clock.today() + timedelta(days=20)).isoformat(),
    )
    db.session.refresh(item)
    assert item.decided_at is not None
    page = client.get(url).get_data(as_text=True)
    section = re.search(rf'id="item-{item.id}">(.*?)</section>', page, re.S).group(1)
    assert _forms(section) == [] and "継続して支援する。" in section


def test_the_generic_form_cannot_decide_an_item_with_a_closure_proposal(client, app):
    """A stale or hand-made generic form would record a decision and leave the proposal
    undecided: it is refused with a message, and nothing is recorded."""
    proposer, chair = office_staff(2)
    proposed = _case(proposer)
    casework.record_review(proposed, _ready(), actor=proposer)
    meeting, item = _meeting_with(proposed)
    login(client, chair)
    response = client.post(
        f"/consultation/meetings/{meeting.id}/items/{item.id}",
        data={
            f"item{item.id}-decision": "継続して支援する。",
            f"item{item.id}-legal_basis": "consent",
            f"item{item.id}-next_review_on": (clock.today() + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 303 and response.location.endswith(f"#item-{item.id}")
    db.session.refresh(item)
    assert item.decided_at is None and item.decision is None
    assert casework.proposals_on_agenda(meeting.id)  # still waits for its own decision
    page = client.get(response.location).get_data(as_text=True)
    assert "このケースは、終結の提案の欄で決定を記録してください。" in page


def test_the_review_page_records_readiness_and_shows_errors(client, app):
    (worker,) = office_staff()
    case = _case(worker)
    login(client, worker)
    assert client.get(f"/casework/cases/{case.id}/review").status_code == 200
    response = client.post(
        f"/casework/cases/{case.id}/review",
        data={
            "summary": "訪問を重ねたが会えない。",
            "readiness": "ready",
            "criterion": "unreachable",
            "closure_summary": "連絡が取れない。",
        },
    )
    assert response.status_code == 400 and "3" in response.get_data(as_text=True)
    assert db.session.query(CaseReview).count() == 0
    response = client.post(
        f"/casework/cases/{case.id}/review",
        data={
            "summary": "目標達成。",
            "readiness": "ready",
            "criterion": "goal_met",
            "closure_summary": "就労が安定。",
        },
    )
    assert response.status_code == 303
    assert db.session.query(CaseReview).one().pending


def test_a_due_followup_check_is_shown_and_done_with_a_note(client, app):
    proposer, chair = office_staff(2)
    case = _case(proposer)
    casework.record_review(
        case, _ready(follow_up_on=clock.today() + timedelta(days=1)), actor=proposer
    )
    db.session.commit()
    _meeting, item = _meeting_with(case)
    casework.decide_closure(
        item,
        close=True,
        decision="終結とする。",
        legal_basis="consent",
        next_review_on=None,
        actor=chair,
    )
    db.session.commit()
    check = db.session.query(FollowUpCheck).one()
    check.due_on = clock.today()  # the day has come
    db.session.commit()
    login(client, proposer)
    page = client.get("/casework/caseload").get_data(as_text=True)
    assert 'id="follow-ups"' in page and case.reference in page
    assert client.post(f"/casework/follow-ups/{check.id}", data={"note": ""}).status_code == 303
    assert check.done_at is None
    client.post(
        f"/casework/follow-ups/{check.id}",
        data={"note": "本人と電話で話し、変わりないことを確認。"},
    )
    db.session.refresh(check)
    assert check.done_at is not None and check.note.startswith("本人と電話")
    assert 'id="follow-ups"' not in client.get("/casework/caseload").get_data(as_text=True)


def test_a_closure_decision_brings_the_clerk_back_to_the_items_page(client, app, monkeypatch):
    proposer, chair = office_staff(2)
    first = _case(proposer)
    first.flagged_for_meeting = True
    db.session.commit()
    held_on = clock.today() + timedelta(days=1)
    meeting = meetings.prepare(held_on, actor_id=None)
    db.session.commit()
    case = _case(proposer)
    casework.record_review(case, _ready(), actor=proposer)
    db.session.commit()
    meetings.prepare(held_on, actor_id=None)  # the proposal comes after the flagged case
    db.session.commit()
    item = db.session.scalar(select(MeetingItem).where(MeetingItem.case_id == case.id))
    monkeypatch.setattr(meetings, "AGENDA_PAGE_SIZE", 1)
    login(client, chair)
    url = f"/consultation/meetings/{meeting.id}"
    assert f'id="closure-proposal-{case.id}"' in client.get(f"{url}?page=2").get_data(as_text=True)
    response = _decide(client, meeting, item, "close", "終結とする。")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{url}?page=2#item-{item.id}")

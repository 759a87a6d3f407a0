"""The 支援調整会議: an agenda of the cases due for review or flagged, and its decisions.

When a case without the resident's consent is discussed, the decision records its legal
basis: the 支援会議 of 社会福祉法第106条の6, whose members share information under a
statutory duty of confidentiality.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from flask_login import current_user
from sqlalchemy import or_, select

from app.core import audit, clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals import cases
from app.referrals.choices import CONSENTED
from app.referrals.models import CaseEntry, Meeting, MeetingItem, SupportCase

REASON_ORDER = {"review_due": 0, "stale": 1, "flagged": 2}


class MeetingError(ValueError):
    pass


def agenda_candidates(held_on: date) -> list[tuple[SupportCase, list[str]]]:
    """Open and paused cases due for review by the meeting date, stale, or flagged."""
    stale_days = int(current_app.config["CASE_STALE_DAYS"])
    quiet_before = clock.day_end(held_on - timedelta(days=stale_days))
    rows = db.session.scalars(
        select(SupportCase).where(
            SupportCase.status != "closed",
            SupportCase.anonymised_at.is_(None),
            or_(SupportCase.next_review_on <= held_on, SupportCase.flagged_for_meeting.is_(True),
                SupportCase.last_activity_at <= quiet_before),
        )
    )
    found = []
    for case in rows:
        reasons = []
        if case.next_review_on <= held_on:
            reasons.append("review_due")
        if case.last_activity_at <= quiet_before:
            reasons.append("stale")
        if case.flagged_for_meeting:
            reasons.append("flagged")
        found.append((case, reasons))
    return sorted(found, key=lambda pair: (min(REASON_ORDER[r] for r in pair[1]), pair[0].next_review_on, pair[0].id))


def prepare(held_on: date) -> Meeting:
    """The meeting on a date with its agenda; preparing again adds cases that became due."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.held_on == held_on))
    if meeting is None:
        meeting = Meeting(held_on=held_on, created_by_id=current_user.id if current_user and current_user.is_authenticated else None)
        db.session.add(meeting)
        db.session.flush()
        audit.record("meeting.created", "meeting", meeting.id)
    present = {item.case_id for item in meeting.items}
    position = len(meeting.items)
    added = 0
    for case, reasons in agenda_candidates(held_on):
        if case.id in present:
            continue
        position += 1
        db.session.add(MeetingItem(meeting=meeting, case_id=case.id, position=position, reasons=reasons))
        added += 1
    audit.record("meeting.agenda_prepared", "meeting", meeting.id, added=added)
    db.session.commit()
    return meeting


def upcoming_and_past(limit: int = 30) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).order_by(Meeting.held_on.desc()).limit(limit)))


def needs_legal_basis(case: SupportCase) -> bool:
    return case.consent not in CONSENTED


def record_decision(item: MeetingItem, decision: str, legal_basis: str | None, next_review_on: date | None) -> CaseEntry:
    """Write the decision into the case's timeline; it counts as the case's review."""
    case = item.case
    if item.decided_at is not None:
        raise MeetingError("decided")
    if case.status == "closed":
        raise MeetingError("closed")
    if needs_legal_basis(case):
        if legal_basis != "support_meeting":
            raise MeetingError("legal_basis")
    else:
        legal_basis = "consent"
    held_on = item.meeting.held_on
    latest = cases.latest_allowed_review(case.risk, held_on)
    if next_review_on is not None and (next_review_on > latest or next_review_on < held_on):
        raise MeetingError("review_date")
    item.decision = decision.strip()
    item.legal_basis = legal_basis
    item.decided_at = utcnow()
    item.decided_by_id = current_user.id if current_user and current_user.is_authenticated else None
    entry = CaseEntry(case=case, kind="meeting_decision", body=item.decision, occurred_on=held_on,
                      author_id=item.decided_by_id, meeting_id=item.meeting_id, legal_basis=legal_basis)
    db.session.add(entry)
    case.next_review_on = next_review_on or latest
    case.flagged_for_meeting = False
    case.last_activity_at = utcnow()
    db.session.flush()
    audit.record("meeting.decision_recorded", "support_case", case.id, meeting_id=item.meeting_id,
                 entry_id=entry.id, legal_basis=legal_basis)
    db.session.commit()
    return entry

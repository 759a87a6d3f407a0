"""The 支援調整会議: an agenda of the cases due for review or flagged, and its decisions.

When a case without the resident's consent is discussed, the decision records its legal
basis: the 支援会議 of 社会福祉法第106条の6, whose members share information under a
statutory duty of confidentiality.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.core import audit, registries
from app.core.models import utcnow
from app.extensions import db
from app.referrals import cases
from app.referrals.choices import CONSENTED
from app.referrals.models import CaseEntry, CaseStatus, Meeting, MeetingItem, SupportCase

REASON_ORDER = {"review_due": 0, "stale": 1, "flagged": 2}


class MeetingError(ValueError):
    pass


@dataclass(frozen=True)
class AgendaSource:
    """Another area's reason to put cases on the agenda (e.g. casework's closure proposals).

    ``case_ids(held_on)`` names the open or paused cases it brings to the meeting of that date;
    their items carry ``reason``. ``partial`` is a template shown in every agenda item (it
    decides itself whether it has anything to say about the item's case). ``decides(item)``
    says whether the partial's own form records the meeting's decision on an item: the agenda
    then shows that form alone, without the generic decision form. It runs for each item of
    the page while the agenda is shown, so it must use what the partial loads anyway.
    """

    reason: str
    label: object
    case_ids: Callable[[date], Iterable[int]]
    order: int = 3
    partial: str | None = None
    decides: Callable[[MeetingItem], bool] | None = None


def register_agenda_source(app, source: AgendaSource) -> None:
    """Add an agenda source to the app's registry of meeting-agenda sources."""
    registries.add(app, registries.MEETING_AGENDA_SOURCES, source.reason, source)


def agenda_sources() -> dict[str, AgendaSource]:
    return {
        source.reason: source for source in registries.entries(registries.MEETING_AGENDA_SOURCES)
    }


def decided_by_sources(items: Iterable[MeetingItem]) -> set[int]:
    """The undecided items whose decision another area's form records (see ``decides``)."""
    deciders = [source.decides for source in agenda_sources().values() if source.decides]
    return {
        item.id
        for item in items
        if item.decided_at is None and any(decides(item) for decides in deciders)
    }


def reason_order(reason: str) -> int:
    if reason in REASON_ORDER:
        return REASON_ORDER[reason]
    source = agenda_sources().get(reason)
    return source.order if source else len(REASON_ORDER)


def _brought_by_sources(held_on: date) -> dict[str, set[int]]:
    return {reason: set(source.case_ids(held_on)) for reason, source in agenda_sources().items()}


def agenda_condition(held_on: date, brought: dict[str, set[int]] | None = None):
    """Open and paused cases due for review by the meeting date, stale on that date (the one
    stale rule of ``cases.stale_condition``), flagged for the meeting, or brought by a source."""
    brought = _brought_by_sources(held_on) if brought is None else brought
    ids = sorted(set().union(*brought.values())) if brought else []
    return or_(
        cases.stale_condition(held_on),
        cases.active_condition()
        & or_(
            SupportCase.next_review_on <= held_on,
            SupportCase.flagged_for_meeting.is_(True),
            SupportCase.id.in_(ids),
        ),
    )


def count_candidates(held_on: date) -> int:
    return (
        db.session.scalar(select(func.count(SupportCase.id)).where(agenda_condition(held_on))) or 0
    )


def agenda_candidates(held_on: date) -> list[tuple[SupportCase, list[str]]]:
    """The cases for the agenda of a date with the reasons they are on it (no encrypted column
    is read: the agenda page loads what it shows itself)."""
    extra = _brought_by_sources(held_on)
    rows = db.session.scalars(
        select(SupportCase)
        .options(
            load_only(
                SupportCase.id,
                SupportCase.next_review_on,
                SupportCase.last_activity_at,
                SupportCase.flagged_for_meeting,
            )
        )
        .where(agenda_condition(held_on, extra))
    )
    found = []
    for case in rows:
        reasons = []
        if case.next_review_on <= held_on:
            reasons.append("review_due")
        if cases.is_quiet(case, held_on):
            reasons.append("stale")
        if case.flagged_for_meeting:
            reasons.append("flagged")
        reasons += [reason for reason, ids in extra.items() if case.id in ids]
        found.append((case, reasons))
    return sorted(
        found,
        key=lambda pair: (
            min(reason_order(r) for r in pair[1]),
            pair[0].next_review_on,
            pair[0].id,
        ),
    )


def prepare(held_on: date, *, actor_id: int | None) -> Meeting:
    """The meeting on a date with its agenda; preparing again adds cases that became due."""
    meeting = db.session.scalar(select(Meeting).where(Meeting.held_on == held_on))
    if meeting is None:
        meeting = Meeting(held_on=held_on, created_by_id=actor_id)
        db.session.add(meeting)
        db.session.flush()
        audit.record("meeting.created", "meeting", meeting.id, actor_id=actor_id)
    present = set(
        db.session.scalars(select(MeetingItem.case_id).where(MeetingItem.meeting_id == meeting.id))
    )
    position = db.session.scalar(
        select(func.coalesce(func.max(MeetingItem.position), 0)).where(
            MeetingItem.meeting_id == meeting.id
        )
    )
    added = 0
    for case, reasons in agenda_candidates(held_on):
        if case.id in present:
            continue
        position += 1
        db.session.add(
            MeetingItem(meeting_id=meeting.id, case_id=case.id, position=position, reasons=reasons)
        )
        added += 1
    audit.record("meeting.agenda_prepared", "meeting", meeting.id, actor_id=actor_id, added=added)
    db.session.flush()
    return meeting


def upcoming_and_past(limit: int = 30) -> list[tuple[Meeting, int, int]]:
    """The latest meetings with the number of cases on each agenda and of decisions (COUNTs)."""
    items = (
        select(
            MeetingItem.meeting_id,
            func.count(MeetingItem.id).label("item_count"),
            func.count(MeetingItem.decided_at).label("decided_count"),
        )
        .group_by(MeetingItem.meeting_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Meeting, func.coalesce(items.c.item_count, 0), func.coalesce(items.c.decided_count, 0)
        )
        .outerjoin(items, items.c.meeting_id == Meeting.id)
        .order_by(Meeting.held_on.desc())
        .limit(limit)
    )
    return [tuple(row) for row in rows]


# A page of the agenda is what a meeting gets through in a sitting, and stays under 100 KB with
# long plan goals and closure proposals (tests/referrals/test_agenda_weight.py).
AGENDA_PAGE_SIZE = 25


def agenda_page(meeting: Meeting, page: int = 1, per_page: int | None = None):
    """One page of a meeting's agenda, with each case's lead worker and agencies loaded in a
    fixed number of queries (the agenda shows the plan goal and the agencies' roles)."""
    from app.accounts.models import Employee

    stmt = (
        select(MeetingItem)
        .options(
            joinedload(MeetingItem.case)
            .load_only(
                SupportCase.id,
                SupportCase.reference,
                SupportCase.household_name,
                SupportCase.status,
                SupportCase.risk,
                SupportCase.consent,
                SupportCase.lead_worker_id,
                SupportCase.next_review_on,
                SupportCase.last_activity_at,
                SupportCase.plan_goal,
            )
            .options(
                joinedload(SupportCase.lead_worker).load_only(Employee.id, Employee.name),
                selectinload(SupportCase.agencies),
            ),
        )
        .where(MeetingItem.meeting_id == meeting.id)
        .order_by(MeetingItem.position, MeetingItem.id)
    )
    per_page = per_page or AGENDA_PAGE_SIZE
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def page_of(item: MeetingItem) -> int:
    """The page of the agenda an item is on, so that a decision brings the clerk back to it."""
    before = (
        db.session.scalar(
            select(func.count(MeetingItem.id)).where(
                MeetingItem.meeting_id == item.meeting_id,
                (MeetingItem.position < item.position)
                | ((MeetingItem.position == item.position) & (MeetingItem.id < item.id)),
            )
        )
        or 0
    )
    return before // AGENDA_PAGE_SIZE + 1


def item_url(item: MeetingItem) -> str:
    """The agenda page that shows ``item``, scrolled to it: where a decision's form returns."""
    from flask import url_for

    page = page_of(item)
    return (
        url_for("referrals.meeting", meeting_id=item.meeting_id, page=page if page > 1 else None)
        + f"#item-{item.id}"
    )


def needs_legal_basis(case: SupportCase) -> bool:
    return case.consent not in CONSENTED


def record_decision(
    item: MeetingItem,
    decision: str,
    legal_basis: str | None,
    next_review_on: date | None,
    *,
    actor_id: int | None,
) -> CaseEntry:
    """Write the decision into the case's timeline; it counts as the case's review."""
    case = item.case
    if item.decided_at is not None:
        raise MeetingError("decided")
    if case.status == CaseStatus.CLOSED:
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
    item.decided_by_id = actor_id
    entry = CaseEntry(
        case=case,
        kind="meeting_decision",
        body=item.decision,
        occurred_on=held_on,
        author_id=item.decided_by_id,
        meeting_id=item.meeting_id,
        legal_basis=legal_basis,
    )
    db.session.add(entry)
    case.next_review_on = next_review_on or latest
    case.flagged_for_meeting = False
    case.last_activity_at = utcnow()
    db.session.flush()
    audit.record(
        "meeting.decision_recorded",
        "support_case",
        case.id,
        actor_id=actor_id,
        meeting_id=item.meeting_id,
        entry_id=entry.id,
        legal_basis=legal_basis,
    )
    return entry

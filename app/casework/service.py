"""Caseloads, handover of the lead worker, reviews with closure readiness, 見守り checks.

Services take the acting employee explicitly and only flush; the request commits once. Lists
page and summaries are counted in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.accounts.models import Employee
from app.casework.models import ProposalOutcome, Readiness
from app.core import audit, clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals.cases import add_entry
from app.referrals.choices import CONTACT_KINDS
from app.referrals.models import CaseEntry, CaseStatus, SupportCase
from app.referrals.service import consultation_staff, is_consultation_staff


class CaseworkError(ValueError):
    """A change the rules do not allow (the view turns the code into a translated message)."""


def long_months() -> int:
    """A case open this many months or more is a long case (the programme's figures count the same)."""
    return int(current_app.config["PROGRAMME_LONG_CASE_MONTHS"])


def long_before(on: date):
    """The stored time before which a case opened is long on ``on``."""
    from app.programme.service import months_before

    return clock.day_start(months_before(on + timedelta(days=1), long_months()))


def no_contact_days() -> int:
    return int(current_app.config["CASE_NO_CONTACT_DAYS"])


def _last_contact():
    """Per case, the last day someone (the office or a partner) reached the resident."""
    return (
        select(CaseEntry.case_id, func.max(CaseEntry.occurred_on).label("last_contact_on"))
        .where(CaseEntry.kind.in_(sorted(CONTACT_KINDS)))
        .group_by(CaseEntry.case_id)
        .subquery()
    )


def _last_contact_on():
    """The same, for the case of the enclosing query: a few index entries per case
    (ix_case_entry_case) instead of grouping every entry of the office."""
    return (
        select(func.max(CaseEntry.occurred_on))
        .where(CaseEntry.case_id == SupportCase.id, CaseEntry.kind.in_(sorted(CONTACT_KINDS)))
        .correlate(SupportCase)
        .scalar_subquery()
    )


def _on_books():
    return (SupportCase.status != CaseStatus.CLOSED) & SupportCase.anonymised_at.is_(None)


def _conditions(on: date, last_contact_on, cases=SupportCase):
    """The caseload's counts as SQL conditions on ``cases`` (the table, or a subquery's columns)."""
    quiet_before = on - timedelta(days=no_contact_days())
    quiet_opened_before = clock.day_start(quiet_before)
    # Never reached: counts from the day the case was opened. (One mention of the last
    # contact, so that a correlated look-up runs once per case.)
    no_contact = func.coalesce(
        last_contact_on < quiet_before, cases.opened_at < quiet_opened_before
    )
    return {
        CaseStatus.OPEN: cases.status == CaseStatus.OPEN,
        CaseStatus.PAUSED: cases.status == CaseStatus.PAUSED,
        "long": cases.opened_at < long_before(on),
        "overdue": cases.next_review_on < on,
        "no_contact": no_contact,
    }


@dataclass
class Load:
    worker: Employee
    open: int = 0
    paused: int = 0
    long: int = 0
    overdue: int = 0
    no_contact: int = 0

    @property
    def total(self) -> int:
        return self.open + self.paused


def loads(on: date | None = None, worker_id: int | None = None) -> list[Load]:
    """Every consultation worker's load (or one worker's), counted in one query."""
    on = on or clock.today()
    books = select(
        SupportCase.lead_worker_id,
        SupportCase.status,
        SupportCase.opened_at,
        SupportCase.next_review_on,
        _last_contact_on().label("last_contact_on"),
    ).where(_on_books())
    if worker_id is not None:
        books = books.where(SupportCase.lead_worker_id == worker_id)
    books = books.subquery()
    conditions = _conditions(on, books.c.last_contact_on, books.c)
    columns = [
        func.sum(sql_case((cond, 1), else_=0)).label(name) for name, cond in conditions.items()
    ]
    stmt = select(books.c.lead_worker_id, *columns).group_by(books.c.lead_worker_id)
    counts = {row.lead_worker_id: row for row in db.session.execute(stmt)}
    workers = {e.id: e for e in consultation_staff()}
    missing = [i for i in counts if i is not None and i not in workers]
    if missing:  # a lead worker who has left the office still carries cases: show them
        workers.update(
            {e.id: e for e in db.session.scalars(select(Employee).where(Employee.id.in_(missing)))}
        )
    if worker_id is not None:
        workers = {i: e for i, e in workers.items() if i == worker_id}
    result = []
    for worker_id_, worker in workers.items():
        row = counts.get(worker_id_)
        values = {name: int(getattr(row, name) or 0) for name in conditions} if row else {}
        result.append(Load(worker=worker, **values))
    return sorted(result, key=lambda load: (-load.total, load.worker.name_kana or ""))


@dataclass
class CaseloadRow:
    case: SupportCase
    last_contact_on: date | None
    days_since_contact: int
    is_long: bool
    overdue: bool
    days_open: int


def caseload(worker_id: int, on: date | None = None, page: int = 1, per_page: int = 50):
    """One worker's open and paused cases: overdue reviews first, then the longest without contact."""
    on = on or clock.today()
    last_contact = _last_contact()
    conditions = _conditions(on, last_contact.c.last_contact_on)
    base = (
        select(SupportCase, last_contact.c.last_contact_on)
        .outerjoin(last_contact, last_contact.c.case_id == SupportCase.id)
        .where(_on_books(), SupportCase.lead_worker_id == worker_id)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    contact_key = func.coalesce(last_contact.c.last_contact_on, func.date(SupportCase.opened_at))
    stmt = (
        base.order_by(sql_case((conditions["overdue"], 0), else_=1), contact_key, SupportCase.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    )
    long_from = long_before(on)
    rows = []
    for case, last_on in db.session.execute(stmt):
        since = last_on or clock.local_date(case.opened_at)
        rows.append(
            CaseloadRow(
                case=case,
                last_contact_on=last_on,
                days_since_contact=(on - since).days,
                is_long=case.opened_at < long_from,
                overdue=case.next_review_on < on,
                days_open=(on - clock.local_date(case.opened_at)).days,
            )
        )
    return Page(rows, total, max(page, 1), per_page)


@dataclass
class Page:
    """The few attributes of a Flask-SQLAlchemy pagination that the pager macro reads."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def panel_counts(worker_id: int) -> dict:
    load = loads(worker_id=worker_id)
    return {"load": load[0] if load else None, "follow_ups": follow_ups_due_count(worker_id)}


# --- handover ------------------------------------------------------------------------------------


def may_hand_over(case: SupportCase, actor, may_reassign_any: bool) -> bool:
    """The lead worker hands over their own case; the office lead may reassign any."""
    return may_reassign_any or case.lead_worker_id == actor.id


def handover(
    case: SupportCase, to_worker_id: int, note: str, *, actor, may_reassign_any: bool
) -> CaseEntry:
    """Give the case a new lead worker, with a handover note on the timeline."""
    if case.status == CaseStatus.CLOSED:
        raise CaseworkError("closed")
    if not may_hand_over(case, actor, may_reassign_any):
        raise CaseworkError("not_yours")
    if not is_consultation_staff(to_worker_id):
        raise CaseworkError("lead")
    if to_worker_id == case.lead_worker_id:
        raise CaseworkError("same")
    note = (note or "").strip()
    if not note:
        raise CaseworkError("note")
    before = db.session.get(Employee, case.lead_worker_id) if case.lead_worker_id else None
    after = db.session.get(Employee, to_worker_id)
    old_id = case.lead_worker_id
    case.lead_worker_id = to_worker_id
    body = f"{before.name if before else '—'} → {after.name}\n{note}"
    entry = add_entry(case, "role_change", body, actor.id, code="handed_over")
    db.session.flush()
    audit.record(
        "case.handed_over",
        "support_case",
        case.id,
        actor_id=actor.id,
        from_id=old_id,
        to_id=to_worker_id,
        entry_id=entry.id,
    )
    return entry


# --- reviews and closure readiness ------------------------------------------------------------------

# The office's criteria for closing (the same codes as the closure reasons). Closing as refused
# or unreachable needs the agreed number of attempts on the timeline; handing over to a lead
# agency needs an agency with an active role that monitors.
ATTEMPT_CRITERIA = frozenset({"refused", "unreachable"})


def agreed_attempts() -> int:
    return int(current_app.config["CASE_CLOSURE_ATTEMPTS"])


def attempts(case_id: int) -> int:
    """Contacts, visits and attempts to reach the resident on the timeline (the office's and partners')."""
    from app.referrals.choices import ATTEMPT_KINDS

    return (
        db.session.scalar(
            select(func.count(CaseEntry.id)).where(
                CaseEntry.case_id == case_id, CaseEntry.kind.in_(sorted(ATTEMPT_KINDS))
            )
        )
        or 0
    )


def pending_proposal(case_id: int):
    from app.casework.models import CaseReview

    return db.session.scalar(
        select(CaseReview)
        .where(
            CaseReview.case_id == case_id,
            CaseReview.readiness == Readiness.READY,
            CaseReview.outcome.is_(None),
        )
        .order_by(CaseReview.id.desc())
        .limit(1)
    )


def latest_review(case_id: int):
    from app.casework.models import CaseReview

    return db.session.scalar(
        select(CaseReview)
        .where(CaseReview.case_id == case_id)
        .order_by(CaseReview.reviewed_on.desc(), CaseReview.id.desc())
        .limit(1)
    )


@dataclass
class ReviewInput:
    summary: str
    ready: bool
    next_review_on: date | None = None
    criterion: str | None = None
    closure_summary: str = ""
    follow_up: str = ""
    follow_up_on: date | None = None


def record_review(case: SupportCase, data: ReviewInput, *, actor):
    """A review: where the support stands, and either the next review date or closure readiness
    against the office's criteria. A ready case is proposed for closure to the next meeting."""
    from app.casework.models import CaseReview
    from app.referrals.cases import latest_allowed_review
    from app.referrals.choices import CLOSURE_REASONS

    on = clock.today()
    if case.status == CaseStatus.CLOSED:
        raise CaseworkError("closed")
    summary = (data.summary or "").strip()
    if not summary:
        raise CaseworkError("summary")
    counted = attempts(case.id)
    if data.ready:
        if data.criterion not in CLOSURE_REASONS:
            raise CaseworkError("criterion")
        if data.criterion in ATTEMPT_CRITERIA and counted < agreed_attempts():
            raise CaseworkError("attempts")
        if data.criterion == "handed_over" and not any(a.ended_at is None for a in case.agencies):
            raise CaseworkError("no_agency")
        if not (data.closure_summary or "").strip():
            raise CaseworkError("closure_summary")
        if data.follow_up_on is not None and data.follow_up_on <= on:
            raise CaseworkError("follow_up_on")
    else:
        if (
            data.next_review_on is None
            or data.next_review_on < on
            or data.next_review_on > latest_allowed_review(case.risk)
        ):
            raise CaseworkError("next_review_on")
    earlier = pending_proposal(case.id)
    if earlier is not None:  # a new review replaces a proposal the meeting has not decided yet
        earlier.outcome = ProposalOutcome.SUPERSEDED
    entry = add_entry(
        case, "review", summary, actor.id, on, code="closure_ready" if data.ready else None
    )
    if not data.ready:
        case.next_review_on = data.next_review_on
    db.session.flush()
    review = CaseReview(
        case_id=case.id,
        reviewed_on=on,
        reviewed_by_id=actor.id,
        summary=summary,
        readiness=Readiness.READY if data.ready else Readiness.CONTINUE,
        entry_id=entry.id,
        criterion=data.criterion if data.ready else None,
        attempts=counted,
        closure_summary=(data.closure_summary or "").strip() or None if data.ready else None,
        follow_up=(data.follow_up or "").strip() or None if data.ready else None,
        follow_up_on=data.follow_up_on if data.ready else None,
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        "case.reviewed",
        "support_case",
        case.id,
        actor_id=actor.id,
        review_id=review.id,
        readiness=review.readiness,
        criterion=review.criterion,
        attempts=counted,
    )
    if data.ready:
        audit.record(
            "case.closure_proposed",
            "support_case",
            case.id,
            actor_id=actor.id,
            review_id=review.id,
            criterion=review.criterion,
        )
    return review


def proposed_case_ids(held_on: date) -> list[int]:
    """The agenda source: cases with an undecided closure proposal reviewed by the meeting date."""
    from app.casework.models import CaseReview

    return list(
        db.session.scalars(
            select(CaseReview.case_id)
            .join(SupportCase, SupportCase.id == CaseReview.case_id)
            .where(
                CaseReview.readiness == Readiness.READY,
                CaseReview.outcome.is_(None),
                CaseReview.reviewed_on <= held_on,
                _on_books(),
            )
        )
    )


def proposals_by_case(case_ids: list[int]) -> dict:
    """Undecided proposals of these cases, in one query (the agenda page shows them)."""
    from app.casework.models import CaseReview

    if not case_ids:
        return {}
    rows = db.session.scalars(
        select(CaseReview)
        .where(
            CaseReview.case_id.in_(case_ids),
            CaseReview.readiness == Readiness.READY,
            CaseReview.outcome.is_(None),
        )
        .order_by(CaseReview.id)
    )
    return {review.case_id: review for review in rows}


def proposals_on_agenda(meeting_id: int | None) -> dict:
    """Undecided proposals of the cases on a meeting's agenda, by case, in one query."""
    from app.casework.models import CaseReview
    from app.referrals.models import MeetingItem

    on_agenda = select(MeetingItem.case_id).where(MeetingItem.meeting_id == meeting_id)
    rows = db.session.scalars(
        select(CaseReview)
        .options(selectinload(CaseReview.reviewed_by))
        .where(
            CaseReview.case_id.in_(on_agenda),
            CaseReview.readiness == Readiness.READY,
            CaseReview.outcome.is_(None),
        )
        .order_by(CaseReview.id)
    )
    return {review.case_id: review for review in rows}


def decide_closure(
    item, *, close: bool, decision: str, legal_basis: str | None, next_review_on: date | None, actor
):
    """The meeting's decision on a closure proposal.

    Closing: the proposal is the request and the meeting's decision, recorded by a colleague of
    the proposer, is the second approval (if the proposer records it, a colleague still approves
    on the case page). Not closing: the decision sets the next review.
    """
    from app.referrals import meetings

    case = item.case
    proposal = pending_proposal(case.id)
    if proposal is None:
        raise CaseworkError("no_proposal")
    if not close and next_review_on is None:
        raise CaseworkError("next_review_on")
    meetings.record_decision(
        item, decision, legal_basis, None if close else next_review_on, actor_id=actor.id
    )
    proposal.decided_at = utcnow()
    proposal.meeting_item_id = item.id
    proposal.outcome = ProposalOutcome.CLOSED if close else ProposalOutcome.CONTINUED
    approval = {"approved": _close_as_decided(case, proposal, item, actor)} if close else {}
    audit.record(
        "meeting.closure_decided",
        "support_case",
        case.id,
        actor_id=actor.id,
        meeting_id=item.meeting_id,
        review_id=proposal.id,
        outcome=proposal.outcome,
        **approval,
    )
    return proposal


def _close_as_decided(case: SupportCase, proposal, item, actor) -> bool:
    """The meeting decided to close: the proposal becomes the case's closure request, and the
    decision is its second approval unless the chair is the worker who proposed it (then a
    colleague approves on the case page). Whether the case is now closed."""
    from app.referrals import cases

    case.closure_reason = proposal.criterion
    case.closure_summary = proposal.closure_summary
    case.closure_follow_up = proposal.follow_up
    case.closure_requested_by_id = proposal.reviewed_by_id
    case.closure_requested_at = proposal.created_at
    if actor.id != proposal.reviewed_by_id and case.status != CaseStatus.CLOSED:
        cases.approve_closure(case, actor_id=actor.id, meeting=item.meeting)
    if proposal.follow_up_on is not None:
        from app.casework.models import FollowUpCheck

        db.session.add(
            FollowUpCheck(
                case_id=case.id, worker_id=case.lead_worker_id, due_on=proposal.follow_up_on
            )
        )
    return case.status == CaseStatus.CLOSED


# --- 見守り checks after closure ---------------------------------------------------------------------


def follow_ups_due(worker_id: int, on: date | None = None) -> list:
    """The worker's 見守り checks due by ``on`` and not done, for closed cases."""
    from app.casework.models import FollowUpCheck

    on = on or clock.today()
    return list(
        db.session.scalars(
            select(FollowUpCheck)
            .join(SupportCase, SupportCase.id == FollowUpCheck.case_id)
            .where(
                FollowUpCheck.worker_id == worker_id,
                FollowUpCheck.done_at.is_(None),
                FollowUpCheck.due_on <= on,
                SupportCase.status == CaseStatus.CLOSED,
                SupportCase.anonymised_at.is_(None),
            )
            .order_by(FollowUpCheck.due_on, FollowUpCheck.id)
        )
    )


def follow_ups_due_count(worker_id: int, on: date | None = None) -> int:
    from app.casework.models import FollowUpCheck

    on = on or clock.today()
    return (
        db.session.scalar(
            select(func.count(FollowUpCheck.id))
            .join(SupportCase, SupportCase.id == FollowUpCheck.case_id)
            .where(
                FollowUpCheck.worker_id == worker_id,
                FollowUpCheck.done_at.is_(None),
                FollowUpCheck.due_on <= on,
                SupportCase.status == CaseStatus.CLOSED,
            )
        )
        or 0
    )


def complete_follow_up(check, note: str, *, actor) -> None:
    """The 見守り check was made: how the household is doing, in a line. Reopen the case if needed."""
    if check.done_at is not None:
        raise CaseworkError("done")
    note = (note or "").strip()
    if not note:
        raise CaseworkError("note")
    check.done_at = utcnow()
    check.done_by_id = actor.id
    check.note = note
    audit.record(
        "case.follow_up_done", "support_case", check.case_id, actor_id=actor.id, check_id=check.id
    )

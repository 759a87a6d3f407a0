"""Support cases: household, lead worker, agencies, plan, reviews, timeline, pause, closure.

Every write goes through here and is audit-logged with ids and codes. Services take the
acting employee's id explicitly and only flush: the request that called them commits once,
after its page has been rendered.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Date, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload, load_only

from app.core import audit, clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals import crypto
from app.referrals.choices import CLOSURE_REASONS, CONTACT_KINDS
from app.referrals.models import (
    CaseAgency,
    CaseEntry,
    CaseMember,
    CaseStatus,
    Referral,
    Risk,
    SupportCase,
)
from app.referrals.service import is_consultation_staff, next_reference, today


class CaseError(ValueError):
    """A change the rules do not allow (the view turns it into a translated message).

    ``field`` names the form field at fault, when one is: the page then shows the message
    beside it and keeps what was typed."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.field = field


def case_began_on(case: SupportCase) -> date:
    """The first day of the matter: the case's opening, or an earlier referral's arrival."""
    days = [clock.local_date(case.opened_at)] if case.opened_at else []
    days += [clock.local_date(r.created_at) for r in case.referrals if r.created_at]
    return min(days) if days else today()


def review_interval(risk: str) -> timedelta:
    key = "CASE_REVIEW_DAYS_HIGH_RISK" if risk == Risk.HIGH else "CASE_REVIEW_DAYS"
    return timedelta(days=int(current_app.config[key]))


def default_review_date(risk: str, start: date | None = None) -> date:
    """Three months by default, sooner for a high-risk case."""
    return (start or today()) + review_interval(risk)


def latest_allowed_review(risk: str, start: date | None = None) -> date:
    return default_review_date(risk, start)


def _touch(case: SupportCase) -> None:
    case.last_activity_at = utcnow()


def add_entry(
    case: SupportCase,
    kind: str,
    body: str | None,
    actor_id: int | None,
    occurred_on: date | None = None,
    **extra,
) -> CaseEntry:
    """A timeline (支援経過) entry on ``case``, dated today in the city unless ``occurred_on``
    says otherwise; the case's last activity moves with it. Added to the session, not flushed."""
    entry = CaseEntry(
        case=case,
        kind=kind,
        body=body,
        occurred_on=occurred_on or today(),
        author_id=actor_id,
        **extra,
    )
    db.session.add(entry)
    _touch(case)
    return entry


def open_from_referral(
    referral: Referral, lead_worker_id: int, *, actor_id: int | None
) -> SupportCase:
    """A new household case from a referral."""
    risk = Risk.HIGH if referral.urgency == "life_risk" else Risk.MEDIUM
    case = SupportCase(
        reference=next_reference("C", today().year),
        household_name=referral.resident_name,
        household_kana=referral.resident_kana,
        household_kana_hash=referral.resident_kana_hash,
        family_kana_hash=referral.family_kana_hash,
        area=referral.area,
        consent=referral.consent,
        risk=risk,
        status=CaseStatus.OPEN,
        lead_worker_id=lead_worker_id,
        next_review_on=default_review_date(risk),
    )
    db.session.add(case)
    if referral.resident_name or referral.resident_kana:
        db.session.add(
            CaseMember(
                case=case,
                name=referral.resident_name,
                kana=referral.resident_kana,
                kana_hash=referral.resident_kana_hash,
                is_primary=True,
            )
        )
    db.session.flush()
    referral.case = case
    add_entry(case, "status", None, actor_id, code="opened")
    audit.record(
        "case.opened",
        "support_case",
        case.id,
        actor_id=actor_id,
        referral_id=referral.id,
        lead_worker_id=lead_worker_id,
    )
    return case


def link_referral(case: SupportCase, referral: Referral, *, actor_id: int | None) -> None:
    referral.case = case
    if case.status == CaseStatus.CLOSED:
        reopen(case, actor_id=actor_id)
    _touch(case)
    audit.record(
        "case.referral_linked", "support_case", case.id, actor_id=actor_id, referral_id=referral.id
    )


def record_entry(
    case: SupportCase, kind: str, body: str, occurred_on: date, *, actor_id: int | None
) -> CaseEntry:
    """Add a line to the timeline. A contact or visit is the first contact with the resident
    for every linked referral that had none: their referrers then see つながりました."""
    if case.status == CaseStatus.CLOSED:
        raise CaseError("closed")
    if occurred_on > today():
        raise CaseError("entry_in_future", "occurred_on")
    if occurred_on < case_began_on(case):
        raise CaseError("entry_before_case", "occurred_on")
    entry = add_entry(case, kind, body.strip() or None, actor_id, occurred_on)
    if kind in CONTACT_KINDS:
        note_contact(case, occurred_on)
    db.session.flush()
    audit.record(
        "case.entry_added", "support_case", case.id, actor_id=actor_id, entry_id=entry.id, kind=kind
    )
    return entry


def note_contact(case: SupportCase, occurred_on: date) -> None:
    """A contact or visit on ``occurred_on`` reached the resident: it is the first contact of the
    case and of every linked referral that had none (their referrers then see つながりました).
    A past day counts from the start of that day in the city's time zone."""
    when = clock.day_start(occurred_on) if occurred_on < today() else utcnow()
    if case.first_contact_at is None:
        case.first_contact_at = when
    for referral in case.referrals:
        if referral.first_contact_at is None:
            referral.first_contact_at = max(when, referral.created_at)


def update_plan(
    case: SupportCase,
    *,
    lead_worker_id: int,
    risk: str,
    plan_goal: str,
    next_review_on: date,
    flagged_for_meeting: bool,
    actor_id: int | None,
) -> None:
    """Change the plan, the lead worker, the risk and the next review date.

    The review date may not be later than the interval allows for the risk (three months, or
    sooner when the risk is high); a change of lead worker is a role change on the timeline.
    """
    if not is_consultation_staff(lead_worker_id):
        raise CaseError("lead")
    if next_review_on < today():
        raise CaseError("review_in_past", "next_review_on")
    if next_review_on > latest_allowed_review(risk):
        raise CaseError("review_too_late", "next_review_on")
    changed = []
    if lead_worker_id != case.lead_worker_id:
        from app.accounts.models import Employee

        old = case.lead_worker_id
        names = [
            e.name if e else "—"
            for e in (
                db.session.get(Employee, old) if old else None,
                db.session.get(Employee, lead_worker_id),
            )
        ]
        case.lead_worker_id = lead_worker_id
        add_entry(case, "role_change", " → ".join(names), actor_id, code="lead_changed")
        changed.append("lead_worker")
        audit.record(
            "case.lead_changed",
            "support_case",
            case.id,
            actor_id=actor_id,
            from_id=old,
            to_id=lead_worker_id,
        )
    if risk != case.risk:
        changed.append("risk")
    if (plan_goal or "").strip() != (case.plan_goal or ""):
        changed.append("plan_goal")
    if next_review_on != case.next_review_on:
        changed.append("next_review_on")
    if flagged_for_meeting != case.flagged_for_meeting:
        changed.append("flagged")
    case.risk = risk
    case.plan_goal = (plan_goal or "").strip() or None
    case.next_review_on = next_review_on
    case.flagged_for_meeting = flagged_for_meeting
    _touch(case)
    audit.record("case.updated", "support_case", case.id, actor_id=actor_id, fields=changed)
    db.session.flush()


def add_member(
    case: SupportCase, name: str, kana: str, relationship_note: str, *, actor_id: int | None
) -> CaseMember:
    member = CaseMember(
        case=case,
        name=name.strip() or None,
        kana=kana.strip() or None,
        kana_hash=crypto.kana_hash(kana),
        relationship_note=relationship_note.strip() or None,
    )
    db.session.add(member)
    _touch(case)
    db.session.flush()
    audit.record(
        "case.member_added", "support_case", case.id, actor_id=actor_id, member_id=member.id
    )
    return member


def add_agency(
    case: SupportCase, name: str, role: str, agency_id: int | None = None, *, actor_id: int | None
) -> CaseAgency:
    """An agency joins the case with a role; the role allocation is on the timeline.

    A registered partner agency (``agency_id``) takes its registered name; its staff then see
    what the lead worker shares with it."""
    if agency_id:
        from app.partners.models import Agency

        registered = db.session.get(Agency, agency_id)
        if registered is None or not registered.active:
            raise CaseError("agency")
        name = registered.name
    if not name.strip():
        raise CaseError("agency")
    agency = CaseAgency(
        case=case, name=name.strip(), role=role.strip() or None, agency_id=agency_id or None
    )
    db.session.add(agency)
    add_entry(
        case,
        "role_change",
        f"{agency.name}: {agency.role}" if agency.role else agency.name,
        actor_id,
        code="agency_added",
    )
    db.session.flush()
    audit.record(
        "case.agency_added", "support_case", case.id, actor_id=actor_id, agency_id=agency.id
    )
    return agency


def end_agency(case: SupportCase, agency_id: int, *, actor_id: int | None) -> None:
    agency = db.session.get(CaseAgency, agency_id)
    if agency is None or agency.case_id != case.id or agency.ended_at is not None:
        raise CaseError("agency")
    agency.ended_at = utcnow()
    add_entry(case, "role_change", agency.name, actor_id, code="agency_ended")
    audit.record(
        "case.agency_ended", "support_case", case.id, actor_id=actor_id, agency_id=agency.id
    )
    db.session.flush()


def pause(case: SupportCase, reason: str, *, actor_id: int | None) -> None:
    """Pause (e.g. the resident is in hospital): still on the books, still reviewed."""
    if case.status != CaseStatus.OPEN:
        raise CaseError("status")
    case.status = CaseStatus.PAUSED
    case.pause_reason = reason.strip() or None
    add_entry(case, "status", case.pause_reason, actor_id, code=CaseStatus.PAUSED)
    audit.record("case.paused", "support_case", case.id, actor_id=actor_id)
    db.session.flush()


def resume(case: SupportCase, *, actor_id: int | None) -> None:
    if case.status != CaseStatus.PAUSED:
        raise CaseError("status")
    case.status = CaseStatus.OPEN
    case.pause_reason = None
    add_entry(case, "status", None, actor_id, code="resumed")
    audit.record("case.resumed", "support_case", case.id, actor_id=actor_id)
    db.session.flush()


def request_closure(
    case: SupportCase, reason: str, summary: str, follow_up: str, *, actor_id: int | None
) -> None:
    """Ask to close: a reason code, a summary and who follows up; a colleague approves."""
    if case.status == CaseStatus.CLOSED or case.closure_requested_at is not None:
        raise CaseError("status")
    if reason not in CLOSURE_REASONS or not summary.strip():
        raise CaseError("closure")
    case.closure_reason = reason
    case.closure_summary = summary.strip()
    case.closure_follow_up = follow_up.strip() or None
    case.closure_requested_by_id = actor_id
    case.closure_requested_at = utcnow()
    _touch(case)
    audit.record(
        "case.closure_requested", "support_case", case.id, actor_id=actor_id, reason=reason
    )
    db.session.flush()


def approve_closure(case: SupportCase, *, actor_id: int | None, meeting=None) -> None:
    """A second consultation staff member — not the one who asked — approves the closure.

    ``meeting``: the 支援調整会議 whose decision this is (the entry is dated on its day).
    """
    if case.status == CaseStatus.CLOSED or case.closure_requested_at is None:
        raise CaseError("status")
    if actor_id is None or actor_id == case.closure_requested_by_id:
        raise CaseError("same_person")
    case.status = CaseStatus.CLOSED
    case.closed_at = utcnow()
    case.closure_approved_by_id = actor_id
    case.flagged_for_meeting = False
    at_meeting = {"meeting_id": meeting.id} if meeting is not None else {}
    add_entry(
        case,
        "status",
        case.closure_summary,
        actor_id,
        meeting.held_on if meeting is not None else None,
        code=CaseStatus.CLOSED,
        **at_meeting,
    )
    audit.record(
        "case.closed",
        "support_case",
        case.id,
        actor_id=actor_id,
        reason=case.closure_reason,
        requested_by=case.closure_requested_by_id,
        **at_meeting,
    )
    db.session.flush()


def withdraw_closure(case: SupportCase, *, actor_id: int | None) -> None:
    if case.status == CaseStatus.CLOSED or case.closure_requested_at is None:
        raise CaseError("status")
    case.closure_reason = case.closure_summary = case.closure_follow_up = None
    case.closure_requested_by_id = case.closure_requested_at = None
    audit.record("case.closure_withdrawn", "support_case", case.id, actor_id=actor_id)
    db.session.flush()


def reopen(case: SupportCase, reason: str = "", *, actor_id: int | None) -> None:
    """Reopen a closed case; the earlier closure stays in the timeline and the audit log."""
    if case.status != CaseStatus.CLOSED:
        raise CaseError("status")
    case.status = CaseStatus.OPEN
    case.closed_at = None
    case.closure_reason = case.closure_summary = case.closure_follow_up = None
    case.closure_requested_by_id = case.closure_requested_at = case.closure_approved_by_id = None
    case.next_review_on = default_review_date(
        case.risk
    )  # a reopened case gets a fresh review cycle
    add_entry(case, "status", reason.strip() or None, actor_id, code="reopened")
    audit.record("case.reopened", "support_case", case.id, actor_id=actor_id)
    db.session.flush()


# --- lists --------------------------------------------------------------------------------------
#
# Lists page and counts count: a page loads PAGE_SIZE rows whatever the number of cases, and
# the encrypted columns a list does not show are never read (nor decrypted).

PAGE_SIZE = 50

# What a case row in a list shows: no free text, only the household's name.
LIST_COLUMNS = (
    SupportCase.id,
    SupportCase.reference,
    SupportCase.household_name,
    SupportCase.area,
    SupportCase.status,
    SupportCase.risk,
    SupportCase.lead_worker_id,
    SupportCase.next_review_on,
    SupportCase.last_activity_at,
    SupportCase.flagged_for_meeting,
    SupportCase.closure_requested_at,
)


def list_options():
    """Loader options for a list of cases: the columns shown, the lead worker in the same query."""
    from app.accounts.models import Employee

    return (
        load_only(*LIST_COLUMNS),
        joinedload(SupportCase.lead_worker).load_only(Employee.id, Employee.name),
    )


def _stale_days() -> int:
    return int(current_app.config["CASE_STALE_DAYS"])


def quiet_before(on: date) -> datetime:
    """A case whose last activity is at or before this moment has been quiet for N days on ``on``."""
    return clock.day_end(on - timedelta(days=_stale_days()))


def active_condition():
    """Open and paused cases that have not been anonymised."""
    return and_(SupportCase.status != CaseStatus.CLOSED, SupportCase.anonymised_at.is_(None))


def stale_condition(on: date | None = None):
    """The one rule for a stale case, as SQL: open or paused, and past its review date or
    without activity for ``CASE_STALE_DAYS`` days. The stale list, the home panel's count,
    the statistics and the meeting agenda all use it."""
    on = on or today()
    return and_(
        active_condition(),
        or_(SupportCase.next_review_on < on, SupportCase.last_activity_at <= quiet_before(on)),
    )


def is_quiet(case: SupportCase, on: date) -> bool:
    return case.last_activity_at <= quiet_before(on)


def stale_since(case: SupportCase, on: date | None = None) -> date | None:
    """The date from which an open or paused case counts as stale, or None (same rule as above)."""
    on = on or today()
    candidates = []
    if case.next_review_on < on:
        candidates.append(case.next_review_on)
    quiet_from = clock.local_date(case.last_activity_at) + timedelta(days=_stale_days())
    if quiet_from <= on:
        candidates.append(quiet_from)
    return min(candidates) if candidates else None


def _stale_since_sql():
    """``stale_since`` as an SQL expression for ordering. For a stale case the earlier of the
    review date and the day it became quiet is always the date it became stale."""
    days = _stale_days()
    # Stored times are UTC; the day a case went quiet is the city's (the zone's present offset).
    offset = int(clock.now().utcoffset().total_seconds())
    if db.session.get_bind().dialect.name == "sqlite":
        # Dates are ISO text in SQLite: the smaller string is the earlier day.
        return func.min(
            SupportCase.next_review_on,
            func.date(SupportCase.last_activity_at, f"{offset:+d} seconds", f"+{days} days"),
        )
    local_day = cast(SupportCase.last_activity_at + timedelta(seconds=offset), Date)
    return func.least(SupportCase.next_review_on, local_day + days)


def count_stale(on: date | None = None) -> int:
    return db.session.scalar(select(func.count(SupportCase.id)).where(stale_condition(on))) or 0


def stale_page(page: int = 1, on: date | None = None, per_page: int = PAGE_SIZE):
    """One page of stale cases, the longest waiting first: (pagination, [(case, since)])."""
    on = on or today()
    stmt = (
        select(SupportCase)
        .options(*list_options())
        .where(stale_condition(on))
        .order_by(_stale_since_sql(), SupportCase.id)
    )
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return pagination, [(case, stale_since(case, on)) for case in pagination.items]


def stale_cases(on: date | None = None) -> list[tuple[SupportCase, date]]:
    """Every stale case, oldest first (for commands and tests; pages use ``stale_page``)."""
    on = on or today()
    rows = db.session.scalars(
        select(SupportCase).where(stale_condition(on)).order_by(_stale_since_sql(), SupportCase.id)
    )
    return [(case, stale_since(case, on)) for case in rows]


def _case_filter(stmt, status: str | None, kana: str | None, lead_worker_id: int | None):
    stmt = stmt.where(SupportCase.anonymised_at.is_(None))
    if status in tuple(CaseStatus):
        stmt = stmt.where(SupportCase.status == status)
    elif status != "all":
        stmt = stmt.where(SupportCase.status != CaseStatus.CLOSED)
    if lead_worker_id:
        stmt = stmt.where(SupportCase.lead_worker_id == lead_worker_id)
    if kana:
        digest = crypto.kana_hash(kana)
        family = crypto.kana_hash(crypto.family_kana(kana))
        members = select(CaseMember.case_id).where(CaseMember.kana_hash == digest)
        stmt = stmt.where(
            or_(
                SupportCase.household_kana_hash == digest,
                SupportCase.family_kana_hash == family,
                SupportCase.id.in_(members),
            )
        )
    return stmt


def list_cases(
    status: str | None = None, kana: str | None = None, lead_worker_id: int | None = None
) -> list[SupportCase]:
    """Every matching case (for commands and tests; pages use ``case_page``)."""
    stmt = _case_filter(select(SupportCase), status, kana, lead_worker_id)
    return list(db.session.scalars(stmt.order_by(SupportCase.next_review_on, SupportCase.id)))


def case_page(
    status: str | None = None,
    kana: str | None = None,
    lead_worker_id: int | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
):
    """One page of cases, the earliest review first, with the total as a COUNT."""
    stmt = _case_filter(select(SupportCase).options(*list_options()), status, kana, lead_worker_id)
    stmt = stmt.order_by(SupportCase.next_review_on, SupportCase.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


# --- finding a case to link a referral to -----------------------------------------------------

PICKER_LIMIT = 20
_REFERENCE = re.compile(r"^(?:C-?)?(\d{4})?-?(\d{1,6})$")


def _picker_stmt():
    return (
        select(SupportCase)
        .options(
            load_only(
                SupportCase.id,
                SupportCase.reference,
                SupportCase.household_name,
                SupportCase.area,
                SupportCase.status,
            )
        )
        .where(SupportCase.anonymised_at.is_(None))
    )


def find_for_link(query: str, limit: int = PICKER_LIMIT) -> list[SupportCase]:
    """Cases a referral may be linked to, by reference number (C-2026-0012, 2026-12, 12) or by
    the household's or a member's name in kana (compared as keyed hashes, never decrypted)."""
    query = (
        unicodedata.normalize("NFKC", query or "")
        .strip()
        .upper()
        .replace("ー", "-")
        .replace("−", "-")
    )
    if not query:
        return []
    match = _REFERENCE.match(query.replace(" ", ""))
    if match:
        year, number = match.groups()
        if year:
            condition = SupportCase.reference == f"C-{year}-{int(number):04d}"
        else:
            condition = SupportCase.reference.like(f"C-%-{int(number):04d}")
        stmt = _picker_stmt().where(condition).order_by(SupportCase.id.desc())
    else:
        stmt = _case_filter(_picker_stmt(), "all", query, None).order_by(
            (SupportCase.status == CaseStatus.CLOSED),
            SupportCase.last_activity_at.desc(),
            SupportCase.id.desc(),
        )
    return list(db.session.scalars(stmt.limit(limit)))


def recent_in_area(area: str | None, limit: int = 10) -> list[SupportCase]:
    """The most recently active open or paused cases of the same 地区, for the link picker."""
    if not area:
        return []
    stmt = _picker_stmt().where(SupportCase.area == area, SupportCase.status != CaseStatus.CLOSED)
    return list(
        db.session.scalars(
            stmt.order_by(SupportCase.last_activity_at.desc(), SupportCase.id.desc()).limit(limit)
        )
    )


def linkable(case_id: int | None) -> SupportCase | None:
    """The case a triage form names, if it may be linked to."""
    if not case_id:
        return None
    return db.session.scalar(_picker_stmt().where(SupportCase.id == case_id))

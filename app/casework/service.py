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

from app.accounts.models import Employee
from app.core import audit, clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals.choices import CONTACT_KINDS
from app.referrals.models import CaseEntry, SupportCase
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
    return (select(CaseEntry.case_id, func.max(CaseEntry.occurred_on).label("last_contact_on"))
            .where(CaseEntry.kind.in_(sorted(CONTACT_KINDS))).group_by(CaseEntry.case_id).subquery())


def _on_books():
    return (SupportCase.status != "closed") & SupportCase.anonymised_at.is_(None)


def _conditions(on: date, last_contact):
    quiet_before = on - timedelta(days=no_contact_days())
    quiet_opened_before = clock.day_start(quiet_before)
    never = last_contact.c.last_contact_on.is_(None) & (SupportCase.opened_at < quiet_opened_before)
    return {
        "open": SupportCase.status == "open",
        "paused": SupportCase.status == "paused",
        "long": SupportCase.opened_at < long_before(on),
        "overdue": SupportCase.next_review_on < on,
        "no_contact": never | (last_contact.c.last_contact_on < quiet_before),
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
    last_contact = _last_contact()
    conditions = _conditions(on, last_contact)
    columns = [func.sum(sql_case((cond, 1), else_=0)).label(name) for name, cond in conditions.items()]
    stmt = (select(SupportCase.lead_worker_id, *columns)
            .outerjoin(last_contact, last_contact.c.case_id == SupportCase.id)
            .where(_on_books()).group_by(SupportCase.lead_worker_id))
    if worker_id is not None:
        stmt = stmt.where(SupportCase.lead_worker_id == worker_id)
    counts = {row.lead_worker_id: row for row in db.session.execute(stmt)}
    workers = {e.id: e for e in consultation_staff()}
    missing = [i for i in counts if i is not None and i not in workers]
    if missing:  # a lead worker who has left the office still carries cases: show them
        workers.update({e.id: e for e in db.session.scalars(select(Employee).where(Employee.id.in_(missing)))})
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
    conditions = _conditions(on, last_contact)
    base = (select(SupportCase, last_contact.c.last_contact_on)
            .outerjoin(last_contact, last_contact.c.case_id == SupportCase.id)
            .where(_on_books(), SupportCase.lead_worker_id == worker_id))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    contact_key = func.coalesce(last_contact.c.last_contact_on, func.date(SupportCase.opened_at))
    stmt = (base.order_by(sql_case((conditions["overdue"], 0), else_=1), contact_key, SupportCase.id)
            .limit(per_page).offset((max(page, 1) - 1) * per_page))
    long_from = long_before(on)
    rows = []
    for case, last_on in db.session.execute(stmt):
        since = last_on or clock.local_date(case.opened_at)
        rows.append(CaseloadRow(case=case, last_contact_on=last_on, days_since_contact=(on - since).days,
                                is_long=case.opened_at < long_from, overdue=case.next_review_on < on,
                                days_open=(on - clock.local_date(case.opened_at)).days))
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
    return {"load": load[0] if load else None}


# --- handover ------------------------------------------------------------------------------------

def may_hand_over(case: SupportCase, actor, may_reassign_any: bool) -> bool:
    """The lead worker hands over their own case; the office lead may reassign any."""
    return may_reassign_any or case.lead_worker_id == actor.id


def handover(case: SupportCase, to_worker_id: int, note: str, *, actor, may_reassign_any: bool) -> CaseEntry:
    """Give the case a new lead worker, with a handover note on the timeline."""
    if case.status == "closed":
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
    entry = CaseEntry(case=case, kind="role_change", code="handed_over", body=body, occurred_on=clock.today(),
                      author_id=actor.id)
    db.session.add(entry)
    case.last_activity_at = utcnow()
    db.session.flush()
    audit.record("case.handed_over", "support_case", case.id, actor_id=actor.id, from_id=old_id, to_id=to_worker_id,
                 entry_id=entry.id)
    return entry

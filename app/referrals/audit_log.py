"""The 相談室's audit log as a clerk reads it: records named by their reference (R-2026-0009,
C-2026-0003) or a meeting's date, actions and details in words, searchable by those numbers.

The log itself stores ids and codes only (``app.core.audit``); names are looked up here, a
page at a time, with one query per kind of record shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, false, or_, select

from app.accounts.models import Employee
from app.core.i18n import jdate
from app.core.models import AuditEvent
from app.core.permissions import OVERSEEN_ROLES
from app.extensions import db
from app.referrals import choices
from app.referrals.models import Meeting, Referral, SupportCase

OBJECT_TYPES = ("referral", "support_case", "meeting", "case_list", "referral_inbox")
OVERSIGHT_ACTIONS = tuple(f"role.{role}_granted" for role in sorted(OVERSEEN_ROLES))
REFERENCE = re.compile(r"^\s*([RC])-?(\d{4})-?(\d{1,6})\s*$", re.IGNORECASE)
PER_PAGE = 100

# Detail keys that name another record, and which.
RECORD_KEYS = {
    "referral_id": "referral",
    "case_id": "support_case",
    "meeting_id": "meeting",
    "lead_worker_id": "employee",
    "from_id": "employee",
    "to_id": "employee",
    "requested_by": "employee",
    "employee": "employee",
}
DETAIL_LABELS = {
    "referral_id": _l("Referral"),
    "case_id": _l("Case"),
    "case_ids": _l("Cases shown"),
    "meeting_id": _l("Meeting"),
    "lead_worker_id": _l("Lead worker (主担当)"),
    "from_id": _l("Previous lead worker"),
    "to_id": _l("New lead worker"),
    "requested_by": _l("Closure requested by"),
    "decision": _l("Decision"),
    "urgency": _l("Urgency"),
    "consent": _l("Consent"),
    "basis": _l("Basis"),
    "legal_basis": _l("Legal basis for sharing"),
    "kind": _l("Kind"),
    "reason": _l("Reason for closing"),
    "fields": _l("Changed"),
    "count": _l("Referrals shown"),
    "records": _l("Records"),
    "searched": _l("Searched by name"),
    "list": _l("List"),
    "added": _l("Cases added"),
    "via": _l("Granted through"),
    "cases": _l("Cases"),
    "referrals": _l("Referrals"),
}
# Keys that only point inside a record (a timeline entry, a household member): not shown.
HIDDEN_KEYS = {"entry_id", "member_id", "agency_id"}
CHANGED_FIELDS = {
    "lead_worker": _l("Lead worker (主担当)"),
    "risk": _l("Risk"),
    "plan_goal": _l("Plan goal"),
    "next_review_on": _l("Next review date"),
    "flagged": _l("Put on the next meeting's agenda"),
}
DECISIONS = {
    "accept": _l("Accept as a new case"),
    "link": _l("Link to an existing household case"),
    "redirect": _l("Redirect to another agency"),
    "info_only": _l("Information only"),
}
LISTS = {"stale": _l("Cases needing attention")}
VIA = {"admin_page": _l("Staff page"), "cli": _l("Command line")}
RECORD_FILTERS = {
    "referral_area": _l("Referrals, cases, meetings and consultation role grants"),
    **{t: choices.AUDIT_OBJECT_LABELS[t] for t in OBJECT_TYPES},
    "all": _l("Everything"),
}


@dataclass
class Row:
    """Plain values: the page is rendered after the view is logged and committed."""

    occurred_at: datetime
    actor: str | None
    action: str
    record: str
    details: list[tuple[str, str]] = field(default_factory=list)


class UnknownReference(ValueError):
    """The number searched for names no referral or case."""


def _records_for(reference: str) -> list[tuple[str, int]]:
    """(object_type, id) pairs a reference stands for: the record and, for a referral its case,
    for a case its referrals — who looked at one resident's matter, wherever it was filed."""
    match = REFERENCE.match(reference)
    if not match:
        raise UnknownReference(reference)
    series, year, number = match.group(1).upper(), match.group(2), int(match.group(3))
    canonical = f"{series}-{year}-{number:04d}"
    if series == "R":
        referral = db.session.scalar(select(Referral).where(Referral.reference == canonical))
        if referral is None:
            raise UnknownReference(reference)
        pairs = [("referral", referral.id)]
        if referral.case_id:
            pairs.append(("support_case", referral.case_id))
        return pairs
    case = db.session.scalar(select(SupportCase).where(SupportCase.reference == canonical))
    if case is None:
        raise UnknownReference(reference)
    referral_ids = db.session.scalars(select(Referral.id).where(Referral.case_id == case.id)).all()
    return [("support_case", case.id), *(("referral", rid) for rid in referral_ids)]


def search(records: str = "referral_area", reference: str = "", page: int = 1):
    """One page of events, newest first. Raises UnknownReference for a number that names nothing."""
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if records == "referral_area":
        # Who was given access to the 相談室's records belongs beside who opened them.
        stmt = stmt.where(
            or_(AuditEvent.object_type.in_(OBJECT_TYPES), AuditEvent.action.in_(OVERSIGHT_ACTIONS))
        )
    elif records in OBJECT_TYPES:
        stmt = stmt.where(AuditEvent.object_type == records)
    if reference.strip():
        pairs = _records_for(reference)
        stmt = stmt.where(
            or_(
                false(),
                *(
                    and_(AuditEvent.object_type == kind, AuditEvent.object_id == str(rid))
                    for kind, rid in pairs
                ),
            )
        )
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def _ids(events, wanted: str) -> set[int]:
    """Ids of one kind of record among the events' objects and their details."""
    found: set[int] = set()
    for e in events:
        if e.object_type == wanted and e.object_id and e.object_id.isdigit():
            found.add(int(e.object_id))
        if wanted == "employee" and e.actor_id:
            found.add(e.actor_id)
        for key, value in (e.detail or {}).items():
            if RECORD_KEYS.get(key) == wanted and isinstance(value, int):
                found.add(value)
            if key == "case_ids" and wanted == "support_case" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, int))
    return found


def _lookup(model, ids: set[int], *columns) -> dict:
    """{id: row} of only the columns shown (encrypted columns and relationships stay unloaded)."""
    if not ids:
        return {}
    return {
        row.id: row
        for row in db.session.execute(select(model.id, *columns).where(model.id.in_(ids)))
    }


def _meeting_name(meeting: Meeting) -> str:
    return _("Meeting of %(date)s", date=jdate(meeting.held_on))


def _value(key: str, value, names: dict) -> str | None:
    kind = RECORD_KEYS.get(key)
    if kind:
        return names[kind].get(value) if isinstance(value, int) else None
    if key == "case_ids":
        refs = [names["support_case"].get(v) for v in value or []]
        return "、".join(r for r in refs if r) or _("none")
    labels = {
        "decision": DECISIONS,
        "urgency": choices.URGENCY_SHORT,
        "consent": choices.CONSENT,
        "basis": choices.REFERRAL_BASIS,
        "legal_basis": choices.LEGAL_BASIS,
        "kind": choices.ENTRY_KINDS,
        "reason": choices.CLOSURE_REASONS,
        "records": RECORD_FILTERS,
        "list": LISTS,
        "via": VIA,
    }.get(key)
    if labels is not None:
        return str(labels.get(value, value)) if value is not None else None
    if key == "fields":
        return "、".join(str(CHANGED_FIELDS.get(f, f)) for f in value or []) or _("nothing")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return str(value)
    return None


def describe(events) -> list[Row]:
    """Readable rows for a page of events."""
    referrals = {
        i: r.reference
        for i, r in _lookup(Referral, _ids(events, "referral"), Referral.reference).items()
    }
    cases = {
        i: c.reference
        for i, c in _lookup(
            SupportCase, _ids(events, "support_case"), SupportCase.reference
        ).items()
    }
    meetings = {
        i: _meeting_name(m)
        for i, m in _lookup(Meeting, _ids(events, "meeting"), Meeting.held_on).items()
    }
    employees = _lookup(Employee, _ids(events, "employee"), Employee.name, Employee.staff_number)
    names = {
        "referral": referrals,
        "support_case": cases,
        "meeting": meetings,
        "employee": {i: f"{e.name}（{e.staff_number}）" for i, e in employees.items()},
    }
    rows = []
    for e in events:
        object_id = int(e.object_id) if e.object_id and e.object_id.isdigit() else None
        record = names.get(e.object_type, {}).get(object_id) if object_id is not None else None
        if record is None:
            record = str(choices.AUDIT_OBJECT_LABELS.get(e.object_type, "")) or "—"
            if object_id is not None and e.object_type in names:
                record = _("%(what)s (deleted)", what=record)
        details = []
        for key, value in (e.detail or {}).items():
            if key in HIDDEN_KEYS or key not in DETAIL_LABELS:
                continue
            shown = _value(key, value, names)
            if shown:
                details.append((str(DETAIL_LABELS[key]), shown))
        rows.append(
            Row(
                occurred_at=e.occurred_at,
                actor=names["employee"].get(e.actor_id),
                action=str(
                    choices.AUDIT_ACTIONS.get(e.action) or _("Other (%(code)s)", code=e.action)
                ),
                record=record,
                details=details,
            )
        )
    return rows

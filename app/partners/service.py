"""What a partner agency may see of a case and what it reports back; the agencies themselves.

Services take the acting employee explicitly and only flush: the request commits once.
Every view by a partner and every change is audit-logged with ids and codes only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from app.accounts.models import Employee, EmployeeRole
from app.core import audit
from app.core.models import utcnow
from app.core.permissions import Role
from app.extensions import db
from app.partners.choices import (
    AGENCY_KINDS,
    IDENTIFYING_FIELDS,
    PARTNER_ENTRY_KINDS,
    SHAREABLE_FIELDS,
)
from app.partners.models import Agency, CaseShare, PartnerAccount, SharedEntry
from app.referrals import cases
from app.referrals.choices import CONSENTED, CONTACT_KINDS
from app.referrals.models import CaseAgency, CaseEntry, CaseStatus, SupportCase
from app.referrals.service import today


class PartnerError(ValueError):
    """A change the rules do not allow (the view turns the code into a translated message)."""


# --- who is the partner -------------------------------------------------------------------------


def agency_for(employee) -> Agency | None:
    """The active agency an account is bound to, or None (then it sees nothing)."""
    account = db.session.get(PartnerAccount, employee.id)
    if account is None or not account.agency.active:
        return None
    return account.agency


def _active_roles_stmt(agency_id: int):
    return (
        select(CaseAgency.case_id)
        .join(SupportCase, SupportCase.id == CaseAgency.case_id)
        .where(
            CaseAgency.agency_id == agency_id,
            CaseAgency.ended_at.is_(None),
            SupportCase.status != CaseStatus.CLOSED,
            SupportCase.anonymised_at.is_(None),
        )
    )


def active_roles(case_id: int, agency_id: int) -> list[CaseAgency]:
    """The agency's roles in an open or paused case that have not ended."""
    return list(
        db.session.scalars(
            select(CaseAgency)
            .join(SupportCase, SupportCase.id == CaseAgency.case_id)
            .where(
                CaseAgency.case_id == case_id,
                CaseAgency.agency_id == agency_id,
                CaseAgency.ended_at.is_(None),
                SupportCase.status != CaseStatus.CLOSED,
                SupportCase.anonymised_at.is_(None),
            )
            .order_by(CaseAgency.id)
        )
    )


def cases_for(agency_id: int, page: int = 1, per_page: int = 50):
    """The open and paused cases where the agency has an active role, next review first."""
    stmt = (
        select(SupportCase)
        .where(SupportCase.id.in_(_active_roles_stmt(agency_id)))
        .order_by(SupportCase.next_review_on, SupportCase.id)
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def sharing_basis(case: SupportCase, roles: list[CaseAgency]) -> str | None:
    """The legal basis on which identifying details may go to the agency now, or None."""
    if case.consent in CONSENTED:
        return "consent"
    if any(r.support_meeting_member for r in roles):
        return "support_meeting"
    return None


# --- what a partner sees -------------------------------------------------------------------------


@dataclass
class PartnerView:
    case: SupportCase
    roles: list[CaseAgency]
    basis: str | None
    fields: list[str]
    entries: list[CaseEntry] = field(default_factory=list)

    def shows(self, name: str) -> bool:
        return name in self.fields


def _share(case_id: int, agency_id: int) -> CaseShare | None:
    return db.session.scalar(
        select(CaseShare).where(CaseShare.case_id == case_id, CaseShare.agency_id == agency_id)
    )


def partner_view(case: SupportCase, agency: Agency) -> PartnerView:
    """What the lead worker shared with the agency, and what the agency itself wrote.

    Identifying fields and the shared timeline entries are shown only while a legal basis
    holds: if the consent is withdrawn or the agency leaves the 支援会議, they disappear.
    """
    roles = active_roles(case.id, agency.id)
    basis = sharing_basis(case, roles)
    share = _share(case.id, agency.id)
    chosen = [f for f in (share.fields or []) if f in SHAREABLE_FIELDS] if share else []
    fields = [f for f in chosen if basis or f not in IDENTIFYING_FIELDS]
    visible = CaseEntry.agency_id == agency.id
    if basis:
        shared = select(SharedEntry.entry_id).where(SharedEntry.agency_id == agency.id)
        visible = or_(visible, CaseEntry.id.in_(shared))
    entries = list(
        db.session.scalars(
            select(CaseEntry)
            .where(CaseEntry.case_id == case.id, visible)
            .order_by(CaseEntry.occurred_on.desc(), CaseEntry.id.desc())
        )
    )
    return PartnerView(case=case, roles=roles, basis=basis, fields=fields, entries=entries)


def record_case_view(view: PartnerView, agency: Agency, actor) -> None:
    audit.record(
        "partner_case.viewed",
        "support_case",
        view.case.id,
        actor_id=actor.id,
        agency_id=agency.id,
        fields=view.fields,
        entry_ids=[e.id for e in view.entries],
        basis=view.basis,
    )


def record_list_view(case_ids: list[int], agency: Agency, actor) -> None:
    audit.record(
        "partner_case_list.viewed",
        "case_list",
        None,
        actor_id=actor.id,
        agency_id=agency.id,
        case_ids=case_ids,
    )


def add_entry(
    case: SupportCase, agency: Agency, kind: str, body: str, occurred_on: date, actor
) -> CaseEntry:
    """A contact, visit or progress note from the agency; it waits in the lead worker's queue.

    A contact or visit reaches the resident: the first one is the case's first contact and,
    for the referrers, つながりました.
    """
    if not active_roles(case.id, agency.id):
        raise PartnerError("no_role")
    if kind not in PARTNER_ENTRY_KINDS:
        raise PartnerError("kind")
    body = (body or "").strip()
    if not body:
        raise PartnerError("body")
    if occurred_on > today():
        raise PartnerError("future")
    entry = cases.add_entry(case, kind, body, actor.id, occurred_on, agency_id=agency.id)
    if kind in CONTACT_KINDS:
        cases.note_contact(case, occurred_on)
    db.session.flush()
    audit.record(
        "case.partner_entry_added",
        "support_case",
        case.id,
        actor_id=actor.id,
        agency_id=agency.id,
        entry_id=entry.id,
        kind=kind,
    )
    return entry


# --- what the lead worker shares -----------------------------------------------------------------


def shared_entry_ids(case_id: int, agency_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(SharedEntry.entry_id)
            .join(CaseEntry, CaseEntry.id == SharedEntry.entry_id)
            .where(SharedEntry.agency_id == agency_id, CaseEntry.case_id == case_id)
        )
    )


def shared_fields(case_id: int, agency_id: int) -> list[str]:
    share = _share(case_id, agency_id)
    return list(share.fields or []) if share else []


def set_sharing(
    case: SupportCase,
    agency_id: int,
    *,
    fields: list[str],
    entry_ids: list[int],
    support_meeting_member: bool,
    actor,
) -> None:
    """Choose what the agency sees, field by field and entry by entry.

    Identifying fields and timeline entries need a legal basis: the resident's consent, or the
    agency's membership of the case's 支援会議, which is recorded on the timeline.
    """
    roles = active_roles(case.id, agency_id)
    if not roles:
        raise PartnerError("no_role")
    changed_membership = any(r.support_meeting_member != support_meeting_member for r in roles)
    if changed_membership:
        for role in roles:
            role.support_meeting_member = support_meeting_member
        code = "support_meeting_joined" if support_meeting_member else "support_meeting_left"
        db.session.add(
            CaseEntry(
                case=case,
                kind="role_change",
                code=code,
                body=roles[0].name,
                occurred_on=today(),
                author_id=actor.id,
                legal_basis="support_meeting" if support_meeting_member else None,
            )
        )
        audit.record(
            f"case.{code}", "support_case", case.id, actor_id=actor.id, agency_id=agency_id
        )
    basis = sharing_basis(case, roles)
    fields = [f for f in SHAREABLE_FIELDS if f in set(fields)]
    own_entries = set(db.session.scalars(select(CaseEntry.id).where(CaseEntry.case_id == case.id)))
    wanted = {i for i in entry_ids if i in own_entries}
    if basis is None and (set(fields) & IDENTIFYING_FIELDS or wanted):
        raise PartnerError("basis")
    share = _share(case.id, agency_id)
    if share is None:
        share = CaseShare(case_id=case.id, agency_id=agency_id)
        db.session.add(share)
    share.fields = fields
    share.legal_basis = basis if set(fields) & IDENTIFYING_FIELDS else None
    share.updated_at = utcnow()
    share.updated_by_id = actor.id
    present = shared_entry_ids(case.id, agency_id)
    for entry_id in sorted(wanted - present):
        db.session.add(
            SharedEntry(
                entry_id=entry_id, agency_id=agency_id, legal_basis=basis, shared_by_id=actor.id
            )
        )
    removed = present - wanted
    if removed:
        db.session.execute(
            db.delete(SharedEntry).where(
                SharedEntry.agency_id == agency_id, SharedEntry.entry_id.in_(removed)
            )
        )
    db.session.flush()
    audit.record(
        "case.sharing_changed",
        "support_case",
        case.id,
        actor_id=actor.id,
        agency_id=agency_id,
        fields=fields,
        basis=basis,
        entries_added=sorted(wanted - present),
        entries_removed=sorted(removed),
    )


# --- the lead worker's queue -----------------------------------------------------------------------


def _updates_stmt(lead_worker_id: int | None):
    stmt = (
        select(CaseEntry)
        .join(SupportCase, SupportCase.id == CaseEntry.case_id)
        .where(CaseEntry.agency_id.is_not(None), CaseEntry.acknowledged_at.is_(None))
    )
    if lead_worker_id is not None:
        stmt = stmt.where(SupportCase.lead_worker_id == lead_worker_id)
    return stmt


def updates(lead_worker_id: int | None, page: int = 1, per_page: int = 50):
    """Partner entries not yet read, oldest first: the lead worker's (or everyone's)."""
    stmt = _updates_stmt(lead_worker_id).order_by(CaseEntry.created_at, CaseEntry.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def unread_update_count(employee_id: int) -> int:
    stmt = _updates_stmt(employee_id).with_only_columns(func.count(CaseEntry.id)).order_by(None)
    return db.session.scalar(stmt) or 0


def acknowledge(entry: CaseEntry, actor) -> None:
    if entry.agency_id is None or entry.acknowledged_at is not None:
        raise PartnerError("status")
    entry.acknowledged_at = utcnow()
    entry.acknowledged_by_id = actor.id
    audit.record(
        "case.partner_entry_read",
        "support_case",
        entry.case_id,
        actor_id=actor.id,
        entry_id=entry.id,
    )


# --- agencies and their accounts (system admin) -----------------------------------------------------


def list_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.active.desc(), Agency.name)))


def registered_agencies() -> list[Agency]:
    return list(
        db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name))
    )


def _check_agency(name: str, kind: str, agency_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise PartnerError("name")
    if kind not in AGENCY_KINDS:
        raise PartnerError("kind")
    other = db.session.scalar(select(Agency).where(Agency.name == name))
    if other is not None and other.id != agency_id:
        raise PartnerError("name_taken")
    return name


def create_agency(name: str, kind: str, actor) -> Agency:
    agency = Agency(name=_check_agency(name, kind), kind=kind)
    db.session.add(agency)
    db.session.flush()
    audit.record(
        "agency.created", "agency", agency.id, actor_id=actor.id if actor else None, kind=kind
    )
    return agency


def update_agency(agency: Agency, name: str, kind: str, active: bool, actor) -> None:
    """Rename, reclassify, or end an agency: its staff then lose access at once."""
    agency.name = _check_agency(name, kind, agency.id)
    agency.kind = kind
    if agency.active and not active:
        from app.accounts.service import end_sessions

        for account in agency.accounts:
            end_sessions(account.employee)
    agency.active = active
    audit.record(
        "agency.updated",
        "agency",
        agency.id,
        actor_id=actor.id if actor else None,
        kind=kind,
        active=active,
    )


def add_account(
    agency: Agency, staff_number: str, name: str, kana: str, email: str, actor
) -> tuple[Employee, str]:
    """A sign-in for one of the agency's staff, with a temporary password shown once."""
    staff_number, email = (staff_number or "").strip(), (email or "").strip() or None
    if not staff_number or not (name or "").strip():
        raise PartnerError("account")
    if (
        db.session.scalar(select(Employee.id).where(Employee.staff_number == staff_number))
        is not None
    ):
        raise PartnerError("number_taken")
    if email and db.session.scalar(select(Employee.id).where(Employee.email == email)) is not None:
        raise PartnerError("email_taken")
    employee = Employee(
        staff_number=staff_number,
        name=name.strip(),
        name_kana=(kana or "").strip(),
        email=email,
        position=None,
        department_id=None,
        active=True,
    )
    employee.role_rows = [EmployeeRole(role=str(Role.PARTNER))]
    temporary = secrets.token_urlsafe(9)
    employee.set_password(temporary)
    db.session.add(employee)
    db.session.flush()
    db.session.add(PartnerAccount(employee_id=employee.id, agency_id=agency.id))
    actor_id = actor.id if actor else None
    audit.record(
        "partner.account_created", "employee", employee.id, actor_id=actor_id, agency_id=agency.id
    )
    audit.record(
        "role.partner_granted", "employee", employee.id, actor_id=actor_id, agency_id=agency.id
    )
    return employee, temporary


def set_account_active(agency: Agency, employee_id: int, active: bool, actor) -> Employee:
    account = db.session.get(PartnerAccount, employee_id)
    if account is None or account.agency_id != agency.id:
        raise PartnerError("account")
    employee = account.employee
    employee.active = active
    if not active:
        from app.accounts.service import end_sessions

        end_sessions(employee)
    audit.record(
        "employee.activated" if active else "employee.deactivated",
        "employee",
        employee.id,
        actor_id=actor.id if actor else None,
        agency_id=agency.id,
    )
    return employee

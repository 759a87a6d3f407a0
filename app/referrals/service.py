"""Referrals: the quick form, the referrer's closed loop, the inbox and triage.

Every write goes through here and commits once; every view and change of a referral is
audit-logged with ids and codes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_login import current_user
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import Employee, EmployeeRole
from app.core import audit, clock
from app.core.models import utcnow
from app.core.permissions import Permission, Role, user_can
from app.extensions import db
from app.referrals import crypto
from app.referrals.models import CaseMember, ReferenceSequence, Referral, SupportCase


def today() -> date:
    """The date at the city hall (not the server's clock zone)."""
    return clock.today()


def areas() -> list[str]:
    return [a.strip() for a in current_app.config["REFERRAL_AREAS"].split(",") if a.strip()]


# --- reference numbers ----------------------------------------------------------------------

def next_reference(series: str, year: int) -> str:
    """Hand out the next number of a series for a year: R-2026-0001, R-2026-0002, …

    Safe under concurrency: the UPDATE … RETURNING takes a row lock on PostgreSQL and the
    write lock on SQLite, so two requests never get the same number. A rollback of the
    caller's transaction gives the number back.
    """
    table = ReferenceSequence.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(table).values(series=series, year=year, last_number=0).on_conflict_do_nothing()
    )
    number = db.session.execute(
        update(table)
        .where(table.c.series == series, table.c.year == year)
        .values(last_number=table.c.last_number + 1)
        .returning(table.c.last_number)
    ).scalar_one()
    return f"{series}-{year}-{number:04d}"


# --- the quick form ---------------------------------------------------------------------------

@dataclass
class ReferralInput:
    resident_name: str
    resident_kana: str
    desk_number: str
    birth_date: str
    area: str
    concerns: list[str]
    observed: str
    urgency: str
    consent: str
    told_about_office: bool
    legal_basis: str
    preferred_contact: str
    phone: str = ""
    household: str = ""
    agencies: str = ""


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class AlreadySent(Exception):
    """The form's key was used for a different referral (e.g. the back button after sending)."""

    def __init__(self, referral: Referral):
        super().__init__(referral.reference)
        self.referral = referral


def _same_content(referral: Referral, data: ReferralInput) -> bool:
    return (
        referral.resident_name == _clean(data.resident_name)
        and referral.resident_kana_hash == crypto.kana_hash(data.resident_kana)
        and referral.desk_number == _clean(data.desk_number)
        and referral.observed == _clean(data.observed)
    )


def submit_referral(referrer: Employee, data: ReferralInput, idempotency_key: str) -> tuple[Referral, bool]:
    """Create a referral once per idempotency key; a resend returns the first one.

    Returns (referral, created). A key used by another employee is never answered with
    their referral; a key reused for different content raises ``AlreadySent`` rather than
    silently swallowing a second referral.
    """
    existing = db.session.scalar(select(Referral).where(Referral.idempotency_key == idempotency_key))
    if existing is not None:
        if existing.referrer_id != referrer.id:
            raise PermissionError("idempotency key belongs to another employee")
        if not _same_content(existing, data):
            raise AlreadySent(existing)
        return existing, False
    try:
        referral = Referral(
            reference=next_reference("R", today().year),
            idempotency_key=idempotency_key,
            referrer_id=referrer.id,
            source_department_id=referrer.department_id,
            resident_name=_clean(data.resident_name),
            resident_kana=_clean(data.resident_kana),
            resident_kana_hash=crypto.kana_hash(data.resident_kana),
            family_kana_hash=crypto.kana_hash(crypto.family_kana(data.resident_kana)),
            desk_number=_clean(data.desk_number),
            birth_date=_clean(data.birth_date),
            area=_clean(data.area),
            concerns=",".join(data.concerns),
            observed=_clean(data.observed),
            urgency=data.urgency,
            consent=data.consent,
            legal_basis=data.legal_basis,
            told_about_office=bool(data.told_about_office),
            preferred_contact=data.preferred_contact,
            phone=_clean(data.phone),
            household=_clean(data.household),
            agencies=_clean(data.agencies),
        )
        db.session.add(referral)
        db.session.flush()
        audit.record("referral.created", "referral", referral.id, actor_id=referrer.id, urgency=data.urgency, consent=data.consent, basis=data.legal_basis)
        db.session.commit()
        return referral, True
    except IntegrityError:
        # Two requests with the same key raced (a double click): the first one won.
        db.session.rollback()
        existing = db.session.scalar(select(Referral).where(Referral.idempotency_key == idempotency_key))
        if existing is None or existing.referrer_id != referrer.id:
            raise
        return existing, False


# --- the referrer's closed loop ---------------------------------------------------------------

def referrer_status(referral: Referral) -> str:
    """The coarse status a referrer may see: received, in_progress, connected or closed."""
    if referral.status in ("redirected", "info_only"):
        return "closed"
    if referral.first_contact_at is not None:
        return "connected"
    if referral.case is not None and referral.case.status == "closed":
        return "closed"
    if referral.status in ("accepted", "linked"):
        return "in_progress"
    return "received"


def my_referrals(employee_id: int) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral).where(Referral.referrer_id == employee_id).order_by(Referral.created_at.desc(), Referral.id.desc())
        )
    )


def own_referral_by_reference(employee_id: int, reference: str) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.reference == reference, Referral.referrer_id == employee_id)
    )


# --- the 相談室 ---------------------------------------------------------------------------------

def record_view(object_type: str, object_id: int, **detail) -> None:
    """Every view of a referral, a case or a meeting agenda goes into the audit log."""
    audit.record(f"{object_type}.viewed", object_type, object_id, **detail)
    db.session.commit()


def inbox(recent_limit: int = 50) -> tuple[list[Referral], list[Referral]]:
    """New referrals (risk to life or safety first, then the oldest), and the recently triaged."""
    urgency_order = sql_case((Referral.urgency == "life_risk", 0), (Referral.urgency == "soon", 1), else_=2)
    new = db.session.scalars(
        select(Referral).where(Referral.status == "new").order_by(urgency_order, Referral.created_at, Referral.id)
    )
    done = db.session.scalars(
        select(Referral)
        .where(Referral.status != "new", Referral.anonymised_at.is_(None))
        .order_by(Referral.triaged_at.desc(), Referral.id.desc())
        .limit(recent_limit)
    )
    return list(new), list(done)


def consultation_staff() -> list[Employee]:
    return list(
        db.session.scalars(
            select(Employee)
            .join(EmployeeRole, EmployeeRole.employee_id == Employee.id)
            .where(EmployeeRole.role == str(Role.CONSULTATION), Employee.active.is_(True))
            .order_by(Employee.name_kana)
        )
    )


def is_consultation_staff(employee_id: int | None) -> bool:
    if employee_id is None:
        return False
    employee = db.session.get(Employee, employee_id)
    return employee is not None and user_can(employee, Permission.HANDLE_REFERRALS)


def suggest_matches(referral: Referral, limit: int = 5) -> list[tuple[SupportCase, str]]:
    """Existing household cases that may be the same household: (case, why).

    Same kana name (keyed hash of the household or a member) is a strong match; the same
    family name in the same area is a likely one.
    """
    found: dict[int, tuple[SupportCase, str]] = {}
    if referral.resident_kana_hash:
        member_cases = select(CaseMember.case_id).where(CaseMember.kana_hash == referral.resident_kana_hash)
        for case in db.session.scalars(
            select(SupportCase).where(
                SupportCase.anonymised_at.is_(None),
                or_(SupportCase.household_kana_hash == referral.resident_kana_hash, SupportCase.id.in_(member_cases)),
            )
        ):
            found[case.id] = (case, "same_name")
    if referral.family_kana_hash and referral.area:
        for case in db.session.scalars(
            select(SupportCase).where(
                SupportCase.anonymised_at.is_(None),
                SupportCase.family_kana_hash == referral.family_kana_hash,
                SupportCase.area == referral.area,
            )
        ):
            found.setdefault(case.id, (case, "same_family_and_area"))
    ordered = sorted(found.values(), key=lambda pair: (pair[1] != "same_name", pair[0].status == "closed", -pair[0].id))
    return ordered[:limit]


class TriageError(ValueError):
    pass


def triage(referral: Referral, action: str, reason: str, *, case_id: int | None = None,
           redirected_to: str | None = None, lead_worker_id: int | None = None) -> SupportCase | None:
    """Decide what happens to a new referral; each decision needs a reason."""
    from app.referrals import cases

    if referral.status != "new":
        raise TriageError("already triaged")
    if not (reason or "").strip():
        raise TriageError("reason required")
    case = None
    if action == "accept":
        if not is_consultation_staff(lead_worker_id):
            raise TriageError("lead worker must be consultation staff")
        case = cases.open_from_referral(referral, lead_worker_id)
        referral.status = "accepted"
    elif action == "link":
        case = db.session.get(SupportCase, case_id) if case_id else None
        if case is None or case.anonymised_at is not None:
            raise TriageError("no such case")
        cases.link_referral(case, referral)
        referral.status = "linked"
    elif action == "redirect":
        if not (redirected_to or "").strip():
            raise TriageError("agency required")
        referral.status = "redirected"
        referral.redirected_to = redirected_to.strip()
    elif action == "info_only":
        referral.status = "info_only"
    else:
        raise TriageError("unknown action")
    referral.triage_reason = reason.strip()
    referral.triaged_at = utcnow()
    referral.triaged_by_id = current_user.id if current_user and current_user.is_authenticated else None
    audit.record("referral.triaged", "referral", referral.id, decision=action, case_id=case.id if case else None)
    db.session.commit()
    return case


def panel_counts() -> dict[str, int]:
    """Small numbers for the home page panels."""
    counts = {"mine": 0, "new": 0, "stale": 0, "open": 0}
    if not current_user.is_authenticated:
        return counts
    counts["mine"] = db.session.scalar(select(func.count(Referral.id)).where(Referral.referrer_id == current_user.id)) or 0
    if user_can(current_user, Permission.HANDLE_REFERRALS):
        from app.referrals import cases

        counts["new"] = db.session.scalar(select(func.count(Referral.id)).where(Referral.status == "new")) or 0
        counts["open"] = db.session.scalar(select(func.count(SupportCase.id)).where(SupportCase.status != "closed")) or 0
        counts["stale"] = len(cases.stale_cases())
    return counts


def reencrypt_all(batch: int = 200) -> int:
    """Write every encrypted column again, which encrypts it with the newest key."""
    from sqlalchemy.orm.attributes import flag_modified

    from app.referrals.crypto import EncryptedText
    from app.referrals.models import CaseAgency, CaseEntry, MeetingItem

    count = 0
    for model in (Referral, SupportCase, CaseMember, CaseAgency, CaseEntry, MeetingItem):
        columns = [c.key for c in model.__table__.columns if isinstance(c.type, EncryptedText)]
        last_id = 0
        while True:
            rows = list(db.session.scalars(select(model).where(model.id > last_id).order_by(model.id).limit(batch)))
            if not rows:
                break
            for row in rows:
                for name in columns:
                    if getattr(row, name) is not None:
                        flag_modified(row, name)
                count += 1
            last_id = rows[-1].id
            db.session.commit()
    audit.record("referrals.keys_rotated", "referral_keys", None, records=count)
    db.session.commit()
    return count

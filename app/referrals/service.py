"""Referrals: the quick form, the referrer's closed loop, the inbox and triage.

Every write goes through here, takes the acting employee explicitly and only flushes: the
request commits once, after its page's data has been loaded. Every view and change of a
referral is audit-logged with ids and codes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, g
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only

from app.accounts.models import Employee, EmployeeRole
from app.core import audit, clock
from app.core.models import utcnow
from app.core.permissions import Permission, Role, user_can
from app.extensions import db
from app.referrals import crypto
from app.referrals.models import (
    CaseMember,
    CaseStatus,
    ReferenceSequence,
    Referral,
    ReferralStatus,
    ReferrerStatus,
    SupportCase,
)


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


def submit_referral(
    referrer: Employee, data: ReferralInput, idempotency_key: str
) -> tuple[Referral, bool]:
    """Create a referral once per idempotency key; a resend returns the first one.

    Returns (referral, created). A key used by another employee is never answered with
    their referral; a key reused for different content raises ``AlreadySent`` rather than
    silently swallowing a second referral.
    """
    existing = db.session.scalar(
        select(Referral).where(Referral.idempotency_key == idempotency_key)
    )
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
        audit.record(
            "referral.created",
            "referral",
            referral.id,
            actor_id=referrer.id,
            urgency=data.urgency,
            consent=data.consent,
            basis=data.legal_basis,
        )
        db.session.flush()
        return referral, True
    except IntegrityError:
        # Two requests with the same key raced (a double click): the first one won. The
        # referral is the request's only change, so nothing else is rolled back with it.
        db.session.rollback()
        existing = db.session.scalar(
            select(Referral).where(Referral.idempotency_key == idempotency_key)
        )
        if existing is None or existing.referrer_id != referrer.id:
            raise
        return existing, False


# --- the referrer's closed loop ---------------------------------------------------------------


def referrer_status(referral: Referral) -> str:
    """The coarse status a referrer may see: received, in_progress, connected or closed."""
    if referral.status in ReferralStatus.closed_without_a_case():
        return ReferrerStatus.CLOSED
    if referral.first_contact_at is not None:
        return ReferrerStatus.CONNECTED
    if referral.case is not None and referral.case.status == CaseStatus.CLOSED:
        return ReferrerStatus.CLOSED
    if referral.status in ReferralStatus.triaged_to_a_case():
        return ReferrerStatus.IN_PROGRESS
    return ReferrerStatus.RECEIVED


def my_referrals(employee_id: int, limit: int = 200) -> list[Referral]:
    """The referrer's own referrals, newest first, with their case's status in the same query."""
    return list(
        db.session.scalars(
            select(Referral)
            .options(
                load_only(
                    Referral.id,
                    Referral.reference,
                    Referral.created_at,
                    Referral.status,
                    Referral.urgency,
                    Referral.first_contact_at,
                    Referral.case_id,
                ),
                joinedload(Referral.case).load_only(SupportCase.id, SupportCase.status),
            )
            .where(Referral.referrer_id == employee_id)
            .order_by(Referral.created_at.desc(), Referral.id.desc())
            .limit(limit)
        )
    )


def own_referral_by_reference(employee_id: int, reference: str) -> Referral | None:
    return db.session.scalar(
        select(Referral).where(Referral.reference == reference, Referral.referrer_id == employee_id)
    )


# --- the 相談室 ---------------------------------------------------------------------------------


def record_view(object_type: str, object_id: int | None, *, actor_id: int | None, **detail) -> None:
    """Every view of a referral, a case or a meeting agenda goes into the audit log.

    Only added to the request's unit of work: the view commits after rendering, so recording
    a view never expires (and reloads) the rows the page shows.
    """
    audit.record(f"{object_type}.viewed", object_type, object_id, actor_id=actor_id, **detail)


PAGE_SIZE = 50


def _inbox_options():
    from app.accounts.models import Department

    # Nothing encrypted is shown in the inbox: only codes, dates, the department and the area.
    return (
        load_only(
            Referral.id,
            Referral.reference,
            Referral.created_at,
            Referral.urgency,
            Referral.consent,
            Referral.area,
            Referral.status,
            Referral.triaged_at,
            Referral.case_id,
            Referral.source_department_id,
        ),
        joinedload(Referral.source_department).load_only(
            Department.id, Department.name_ja, Department.name_en
        ),
        joinedload(Referral.case).load_only(SupportCase.id, SupportCase.reference),
    )


class IdsFirstPagination(SelectPagination):
    """A page of a ``select(Model)``: the page's ids are chosen first, from an index alone,
    then only those rows are read. Sorting by an expression (the urgency) then reads index
    entries, not every wide, encrypted row that matches."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"]
        model = stmt.column_descriptions[0]["entity"]
        ids = (
            stmt.with_only_columns(model.id)
            .limit(self.per_page)
            .offset(self._query_offset)
            .scalar_subquery()
        )
        return list(self._query_args["session"].scalars(stmt.where(model.id.in_(ids))))


def inbox(page: int = 1, recent_limit: int = PAGE_SIZE, per_page: int = PAGE_SIZE):
    """A page of new referrals (risk to life or safety first, then the oldest, with the total
    as a COUNT) and the most recently triaged."""
    urgency_order = sql_case(
        (Referral.urgency == "life_risk", 0), (Referral.urgency == "soon", 1), else_=2
    )
    new = IdsFirstPagination(
        select=select(Referral)
        .options(*_inbox_options())
        .where(Referral.status == ReferralStatus.NEW)
        .order_by(urgency_order, Referral.created_at, Referral.id),
        session=db.session(),
        page=page,
        per_page=per_page,
        error_out=False,
        count=True,
    )
    done = db.session.scalars(
        select(Referral)
        .options(*_inbox_options())
        # Every triaged referral has its time; saying so lets the index on it skip the new ones.
        .where(
            Referral.status != ReferralStatus.NEW,
            Referral.triaged_at.is_not(None),
            Referral.anonymised_at.is_(None),
        )
        .order_by(Referral.triaged_at.desc(), Referral.id.desc())
        .limit(recent_limit)
    )
    return new, list(done)


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
    # Each query is ordered and bounded as the result is, and reads only what the page shows:
    # a common family name in a large 地区 never loads (or decrypts) every such case.
    shown = load_only(
        SupportCase.id,
        SupportCase.reference,
        SupportCase.household_name,
        SupportCase.area,
        SupportCase.status,
    )
    order = (SupportCase.status == CaseStatus.CLOSED, SupportCase.id.desc())
    if referral.resident_kana_hash:
        member_cases = select(CaseMember.case_id).where(
            CaseMember.kana_hash == referral.resident_kana_hash
        )
        for case in db.session.scalars(
            select(SupportCase)
            .options(shown)
            .where(
                SupportCase.anonymised_at.is_(None),
                or_(
                    SupportCase.household_kana_hash == referral.resident_kana_hash,
                    SupportCase.id.in_(member_cases),
                ),
            )
            .order_by(*order)
            .limit(limit)
        ):
            found[case.id] = (case, "same_name")
    if referral.family_kana_hash and referral.area and len(found) < limit:
        for case in db.session.scalars(
            select(SupportCase)
            .options(shown)
            .where(
                SupportCase.anonymised_at.is_(None),
                SupportCase.family_kana_hash == referral.family_kana_hash,
                SupportCase.area == referral.area,
            )
            .order_by(*order)
            .limit(limit)
        ):
            found.setdefault(case.id, (case, "same_family_and_area"))
    ordered = sorted(
        found.values(),
        key=lambda pair: (pair[1] != "same_name", pair[0].status == CaseStatus.CLOSED, -pair[0].id),
    )
    return ordered[:limit]


class TriageError(ValueError):
    pass


def triage(
    referral: Referral,
    action: str,
    reason: str,
    *,
    actor_id: int | None,
    case_id: int | None = None,
    redirected_to: str | None = None,
    lead_worker_id: int | None = None,
) -> SupportCase | None:
    """Decide what happens to a new referral; each decision needs a reason."""
    from app.referrals import cases

    if referral.status != ReferralStatus.NEW:
        raise TriageError("already triaged")
    if not (reason or "").strip():
        raise TriageError("reason required")
    case = None
    if action == "accept":
        if not is_consultation_staff(lead_worker_id):
            raise TriageError("lead worker must be consultation staff")
        case = cases.open_from_referral(referral, lead_worker_id, actor_id=actor_id)
        referral.status = ReferralStatus.ACCEPTED
    elif action == "link":
        case = db.session.get(SupportCase, case_id) if case_id else None
        if case is None or case.anonymised_at is not None:
            raise TriageError("no such case")
        cases.link_referral(case, referral, actor_id=actor_id)
        referral.status = ReferralStatus.LINKED
    elif action == "redirect":
        if not (redirected_to or "").strip():
            raise TriageError("agency required")
        referral.status = ReferralStatus.REDIRECTED
        referral.redirected_to = redirected_to.strip()
    elif action == "info_only":
        referral.status = ReferralStatus.INFO_ONLY
    else:
        raise TriageError("unknown action")
    referral.triage_reason = reason.strip()
    referral.triaged_at = utcnow()
    referral.triaged_by_id = actor_id
    audit.record(
        "referral.triaged",
        "referral",
        referral.id,
        actor_id=actor_id,
        decision=action,
        case_id=case.id if case else None,
    )
    db.session.flush()
    return case


def panel_counts(employee=None) -> dict[str, int]:
    """Small numbers for the home page panels: COUNT queries, computed once per request."""
    if employee is None:
        from flask_login import current_user

        employee = current_user
    counts = {"mine": 0, "new": 0, "stale": 0, "open": 0}
    if not employee.is_authenticated:
        return counts
    cached = g.get("referral_panel_counts")
    if cached is not None and cached[0] == employee.id:
        return cached[1]
    if user_can(employee, Permission.HANDLE_REFERRALS):
        from app.referrals import cases

        counts["new"] = (
            db.session.scalar(
                select(func.count(Referral.id)).where(Referral.status == ReferralStatus.NEW)
            )
            or 0
        )
        counts["open"] = (
            db.session.scalar(select(func.count(SupportCase.id)).where(cases.active_condition()))
            or 0
        )
        counts["stale"] = cases.count_stale()
    counts["mine"] = (
        db.session.scalar(
            select(func.count(Referral.id)).where(Referral.referrer_id == employee.id)
        )
        or 0
    )
    g.referral_panel_counts = (employee.id, counts)
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
            rows = list(
                db.session.scalars(
                    select(model).where(model.id > last_id).order_by(model.id).limit(batch)
                )
            )
            if not rows:
                break
            for row in rows:
                for name in columns:
                    if getattr(row, name) is not None:
                        flag_modified(row, name)
                count += 1
            last_id = rows[-1].id
            db.session.commit()
    audit.record("referrals.keys_rotated", "referral_keys", None, actor_id=None, records=count)
    db.session.commit()
    return count

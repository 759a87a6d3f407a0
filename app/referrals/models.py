"""Referrals, support cases, their timeline, and the 支援調整会議.

Referral status (what happened to the message) is kept apart from case status (where the
support of a household stands). Identifying fields and free text are ``EncryptedText``;
codes, dates and ids stay in clear so that lists, statistics and the audit log work without
decrypting anything.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db
from app.referrals.crypto import EncryptedText


class ReferralStatus(StrEnum):
    """What happened to a referral's message (stored as its value)."""

    NEW = "new"  # waiting for triage
    ACCEPTED = "accepted"  # a new case was opened
    LINKED = "linked"  # joined to an existing case
    REDIRECTED = "redirected"  # passed on to another office
    INFO_ONLY = "info_only"  # recorded for information, nothing to do

    @classmethod
    def triaged_to_a_case(cls) -> tuple[ReferralStatus, ...]:
        return (cls.ACCEPTED, cls.LINKED)

    @classmethod
    def closed_without_a_case(cls) -> tuple[ReferralStatus, ...]:
        return (cls.REDIRECTED, cls.INFO_ONLY)


class CaseStatus(StrEnum):
    """Where the support of a household stands (stored as its value)."""

    OPEN = "open"
    PAUSED = "paused"  # not closed: it stays on the books and is reviewed
    CLOSED = "closed"


class ReferrerStatus(StrEnum):
    """The coarse status a referrer sees of their referral (worked out, not stored)."""

    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    CONNECTED = "connected"
    CLOSED = "closed"


class Consent(StrEnum):
    """What the resident said to their details being passed on (stored as its value)."""

    WRITTEN = "written"
    VERBAL = "verbal"
    UNCONFIRMED = "unconfirmed"  # not asked, or the answer is not known
    REFUSED = "refused"

    @classmethod
    def given(cls) -> tuple[Consent, ...]:
        return (cls.WRITTEN, cls.VERBAL)


class Risk(StrEnum):
    """How much is at stake for a household (stored as its value); high means sooner reviews."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReferenceSequence(db.Model):
    """The last number handed out per series and year (R-2026 → 17)."""

    __tablename__ = "reference_sequence"

    series: Mapped[str] = mapped_column(db.String(8), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Referral(db.Model):
    __tablename__ = "referral"
    __table_args__ = (
        # The statistics count a period's referrals by month, source, status and first contact
        # from this index alone, without reading the (encrypted, wide) rows.
        db.Index(
            "ix_referral_period", "created_at", "source_department_id", "status", "first_contact_at"
        ),
        # The inbox's new referrals by urgency and age: the page's ids come from this index.
        db.Index("ix_referral_queue", "status", "urgency", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(db.String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(db.String(64), unique=True)
    referrer_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"), index=True)
    # The referrer's department when they referred; staff move every April.
    source_department_id: Mapped[int | None] = mapped_column(
        db.ForeignKey("department.id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resident_name: Mapped[str | None] = mapped_column(EncryptedText)
    resident_kana: Mapped[str | None] = mapped_column(EncryptedText)
    resident_kana_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    family_kana_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    desk_number: Mapped[str | None] = mapped_column(EncryptedText)  # the desk system's number
    birth_date: Mapped[str | None] = mapped_column(EncryptedText)
    area: Mapped[str | None] = mapped_column(db.String(32))
    concerns: Mapped[str | None] = mapped_column(EncryptedText)  # comma-separated codes
    observed: Mapped[str | None] = mapped_column(EncryptedText)
    urgency: Mapped[str] = mapped_column(db.String(16))
    consent: Mapped[str] = mapped_column(db.String(16))
    # "consent", or without it the basis the referrer chose (see choices.NO_CONSENT_BASIS).
    legal_basis: Mapped[str | None] = mapped_column(db.String(16))
    told_about_office: Mapped[bool] = mapped_column(default=False)
    preferred_contact: Mapped[str] = mapped_column(db.String(16))
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    household: Mapped[str | None] = mapped_column(EncryptedText)
    agencies: Mapped[str | None] = mapped_column(EncryptedText)

    # new → accepted | linked | redirected | info_only
    status: Mapped[str] = mapped_column(db.String(16), default=ReferralStatus.NEW, index=True)
    triage_reason: Mapped[str | None] = mapped_column(EncryptedText)
    redirected_to: Mapped[str | None] = mapped_column(db.String(200))
    triaged_at: Mapped[datetime | None] = mapped_column(index=True)  # the inbox's recent list
    triaged_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    case_id: Mapped[int | None] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    first_contact_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    referrer = relationship("Employee", foreign_keys=[referrer_id])
    triaged_by = relationship("Employee", foreign_keys=[triaged_by_id])
    source_department = relationship("Department")
    case: Mapped[SupportCase | None] = relationship(back_populates="referrals")

    @property
    def concern_codes(self) -> list[str]:
        return [c for c in (self.concerns or "").split(",") if c]


class SupportCase(db.Model):
    """A household the 相談室 supports over time."""

    __tablename__ = "support_case"
    __table_args__ = (
        # Cases on the books (open or paused), counted by the home panels, the stale list, the
        # meeting agenda and the statistics from the index alone.
        db.Index(
            "ix_support_case_books",
            "status",
            "anonymised_at",
            "next_review_on",
            "last_activity_at",
            "opened_at",
            "flagged_for_meeting",
            "closure_reason",
        ),
        # A worker's caseload, counted by the caseload page and the home panel.
        db.Index(
            "ix_support_case_caseload",
            "lead_worker_id",
            "status",
            "anonymised_at",
            "opened_at",
            "next_review_on",
        ),
        # The triage picker's recent cases of the referral's area.
        db.Index("ix_support_case_area_activity", "area", "last_activity_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(db.String(16), unique=True)
    household_name: Mapped[str | None] = mapped_column(EncryptedText)
    household_kana: Mapped[str | None] = mapped_column(EncryptedText)
    household_kana_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    family_kana_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    area: Mapped[str | None] = mapped_column(db.String(32))
    consent: Mapped[str] = mapped_column(db.String(16), default=Consent.UNCONFIRMED)
    risk: Mapped[str] = mapped_column(db.String(8), default=Risk.MEDIUM)
    status: Mapped[str] = mapped_column(db.String(8), default=CaseStatus.OPEN, index=True)
    lead_worker_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    plan_goal: Mapped[str | None] = mapped_column(EncryptedText)
    next_review_on: Mapped[date] = mapped_column(index=True)
    flagged_for_meeting: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    first_contact_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(EncryptedText)

    closure_reason: Mapped[str | None] = mapped_column(db.String(24))
    closure_summary: Mapped[str | None] = mapped_column(EncryptedText)
    closure_follow_up: Mapped[str | None] = mapped_column(EncryptedText)
    closure_requested_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    closure_requested_at: Mapped[datetime | None]
    closure_approved_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    anonymised_at: Mapped[datetime | None]

    lead_worker = relationship("Employee", foreign_keys=[lead_worker_id])
    closure_requested_by = relationship("Employee", foreign_keys=[closure_requested_by_id])
    closure_approved_by = relationship("Employee", foreign_keys=[closure_approved_by_id])
    referrals: Mapped[list[Referral]] = relationship(
        back_populates="case", order_by="Referral.created_at"
    )
    members: Mapped[list[CaseMember]] = relationship(
        back_populates="case", order_by="CaseMember.id"
    )
    agencies: Mapped[list[CaseAgency]] = relationship(
        back_populates="case", order_by="CaseAgency.id"
    )
    entries: Mapped[list[CaseEntry]] = relationship(
        back_populates="case", order_by="(CaseEntry.occurred_on.desc(), CaseEntry.id.desc())"
    )

    @property
    def closure_pending(self) -> bool:
        return self.status != CaseStatus.CLOSED and self.closure_requested_at is not None


class CaseMember(db.Model):
    __tablename__ = "case_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    name: Mapped[str | None] = mapped_column(EncryptedText)
    kana: Mapped[str | None] = mapped_column(EncryptedText)
    kana_hash: Mapped[str | None] = mapped_column(db.String(64), index=True)
    relationship_note: Mapped[str | None] = mapped_column(EncryptedText)  # 続柄, 年代
    is_primary: Mapped[bool] = mapped_column(default=False)

    case: Mapped[SupportCase] = relationship(back_populates="members")


class CaseAgency(db.Model):
    """An agency involved in a case and its role (役割分担)."""

    __tablename__ = "case_agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(200))
    role: Mapped[str | None] = mapped_column(EncryptedText)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # A registered partner agency (app/partners): its staff then see what is shared with it.
    agency_id: Mapped[int | None] = mapped_column(db.ForeignKey("agency.id"), index=True)
    # The agency is a member of this case's 支援会議 (社会福祉法第106条の6): a legal basis for
    # sharing identifying details without the resident's consent (docs/consent-model.md).
    support_meeting_member: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    case: Mapped[SupportCase] = relationship(back_populates="agencies")
    agency = relationship("Agency")


class CaseEntry(db.Model):
    """One line of the 支援経過: a contact, a visit, a meeting decision, a role change…"""

    __tablename__ = "case_entry"
    __table_args__ = (
        # Per case, the last contact (the caseloads) and the partner entries not yet read
        # (the lead worker's queue), read from the index without the entries' encrypted text.
        db.Index(
            "ix_case_entry_case", "case_id", "kind", "occurred_on", "agency_id", "acknowledged_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"))
    kind: Mapped[str] = mapped_column(db.String(24))
    # What a portal-written entry records: opened, paused, closed, lead_changed, agency_added…
    code: Mapped[str | None] = mapped_column(db.String(24))
    occurred_on: Mapped[date]
    body: Mapped[str | None] = mapped_column(EncryptedText)
    author_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    meeting_id: Mapped[int | None] = mapped_column(db.ForeignKey("meeting.id"))
    legal_basis: Mapped[str | None] = mapped_column(db.String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written by a partner agency's staff: it waits in the lead worker's queue until read.
    agency_id: Mapped[int | None] = mapped_column(db.ForeignKey("agency.id"), index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))

    case: Mapped[SupportCase] = relationship(back_populates="entries")
    author = relationship("Employee", foreign_keys=[author_id])
    agency = relationship("Agency")


class Meeting(db.Model):
    """A 支援調整会議 on a date, with its agenda."""

    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    items: Mapped[list[MeetingItem]] = relationship(
        back_populates="meeting", order_by="MeetingItem.position"
    )


class MeetingItem(db.Model):
    __tablename__ = "meeting_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(db.ForeignKey("meeting.id"), index=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    reasons: Mapped[list | None] = mapped_column(JSON)  # review_due / flagged / stale
    decision: Mapped[str | None] = mapped_column(EncryptedText)
    legal_basis: Mapped[str | None] = mapped_column(db.String(32))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    case: Mapped[SupportCase] = relationship()

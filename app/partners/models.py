"""Partner agencies, their staff's accounts, and what the 相談室 shares with each agency."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import utcnow
from app.extensions import db


class Agency(db.Model):
    """An agency the 相談室 works with: a commissioned corporation, the 社会福祉協議会 …"""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(db.String(200), unique=True)
    kind: Mapped[str] = mapped_column(db.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[PartnerAccount]] = relationship(
        back_populates="agency", order_by="PartnerAccount.employee_id"
    )


class PartnerAccount(db.Model):
    """Binds an account holding the partner role to its one agency."""

    __tablename__ = "partner_account"

    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(back_populates="accounts")
    employee = relationship("Employee")


class CaseShare(db.Model):
    """The fields of a case the lead worker shares with one agency."""

    __tablename__ = "case_share"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(db.ForeignKey("support_case.id"), index=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), index=True)
    fields: Mapped[list | None] = mapped_column(JSON)
    # The basis the identifying fields were shared on (consent / support_meeting), or None.
    legal_basis: Mapped[str | None] = mapped_column(db.String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))

    __table_args__ = (
        db.UniqueConstraint("case_id", "agency_id", name="uq_case_share_case_agency"),
    )


class SharedEntry(db.Model):
    """One timeline entry the lead worker shared with one agency, and on what basis."""

    __tablename__ = "shared_entry"

    entry_id: Mapped[int] = mapped_column(db.ForeignKey("case_entry.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(db.ForeignKey("agency.id"), primary_key=True, index=True)
    legal_basis: Mapped[str] = mapped_column(db.String(32))
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)
    shared_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("employee.id"))

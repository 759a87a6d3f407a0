"""Departments (部 > 課), employees, their roles and department history."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.models import utcnow
from app.core.permissions import Permission, Role, permissions_for
from app.extensions import db


class Department(db.Model):
    """A 部 (no parent) or a 課 (its parent is a 部)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(db.String(32), unique=True)
    name_ja: Mapped[str] = mapped_column(db.String(100))
    name_en: Mapped[str | None] = mapped_column(db.String(150))
    parent_id: Mapped[int | None] = mapped_column(db.ForeignKey("department.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Department | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Department]] = relationship(
        back_populates="parent", order_by="Department.sort_order"
    )

    @property
    def is_division(self) -> bool:
        """True for a 部 (top level)."""
        return self.parent_id is None

    def display_name(self, locale: str = "ja") -> str:
        if locale == "en" and self.name_en:
            return self.name_en
        return self.name_ja

    @property
    def full_name_ja(self) -> str:
        return f"{self.parent.name_ja} {self.name_ja}" if self.parent else self.name_ja

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name_ja}>"


class EmployeeRole(db.Model):
    __tablename__ = "employee_role"

    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), primary_key=True)
    role: Mapped[str] = mapped_column(db.String(32), primary_key=True)


class Employee(UserMixin, db.Model):
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_number: Mapped[str] = mapped_column(db.String(32), unique=True)  # 職員番号
    name: Mapped[str] = mapped_column(db.String(100))  # 氏名
    name_kana: Mapped[str] = mapped_column(db.String(100))  # 氏名カナ
    email: Mapped[str | None] = mapped_column(db.String(254), unique=True)
    position: Mapped[str | None] = mapped_column(db.String(100))  # 役職
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("department.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(db.String(256))
    locale: Mapped[str | None] = mapped_column(db.String(8))
    extension: Mapped[str | None] = mapped_column(db.String(20))  # 内線
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None]
    # Part of every session's id: raising it ends every session of this employee at once
    # (sign-out, password change or reset, deactivation, a role taken away).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    department: Mapped[Department | None] = relationship()
    role_rows: Mapped[list[EmployeeRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    memberships: Mapped[list[DepartmentMembership]] = relationship(
        back_populates="employee", order_by="DepartmentMembership.started_on"
    )

    # --- Flask-Login -------------------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """The id kept in the session: a copied cookie dies with its generation."""
        return f"{self.id}:{self.session_generation or 0}"

    # --- roles ---------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset({Role.LEARNER} | {Role(r.role) for r in self.role_rows})

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_for(self.roles)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    # --- password --------------------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<Employee {self.staff_number}>"


class DepartmentMembership(db.Model):
    """One stretch of time an employee belonged to a department (人事異動 history)."""

    __tablename__ = "department_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(db.ForeignKey("employee.id"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("department.id"), index=True)
    position: Mapped[str | None] = mapped_column(db.String(100))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    employee: Mapped[Employee] = relationship(back_populates="memberships")
    department: Mapped[Department] = relationship()

"""Account operations. Every write to employees, roles and departments goes through here."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.accounts.models import Department, DepartmentMembership, Employee, EmployeeRole
from app.accounts.roster import ParsedRoster, RosterError, RosterRow
from app.core import audit, clock
from app.core.models import utcnow
from app.core.permissions import OVERSEEN_ROLES, Role, may_grant_roles
from app.core.signals import employee_transferred, roster_imported
from app.extensions import db

MIN_PASSWORD_LENGTH = 10


# --- look-ups -------------------------------------------------------------------------------


def find_by_login(identifier: str) -> Employee | None:
    """Find an employee by 職員番号 or e-mail (case-insensitive for e-mail)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    return db.session.scalar(
        select(Employee).where(
            or_(
                Employee.staff_number == identifier,
                func.lower(Employee.email) == identifier.lower(),
            )
        )
    )


def search_employees(
    query: str = "", include_inactive: bool = True, page: int = 1, per_page: int = 50
):
    stmt = select(Employee).order_by(Employee.staff_number)
    query = (query or "").strip()
    if query:
        like = f"%{query}%"
        stmt = stmt.where(
            or_(
                Employee.staff_number.ilike(like),
                Employee.name.ilike(like),
                Employee.name_kana.ilike(like),
                Employee.email.ilike(like),
            )
        )
    if not include_inactive:
        stmt = stmt.where(Employee.active.is_(True))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


# --- signing in -----------------------------------------------------------------------------


@functools.cache
def _dummy_password_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(identifier: str, password: str) -> Employee | None:
    """The employee whose login and password match, or None (and a ``sign_in.failed`` event).

    With the city's directory configured (``LDAP_URL``) the directory decides first; an account
    kept with a local password (a break-glass administrator) still signs in when the directory
    does not know it or cannot be reached. Raises ``directory.DirectoryUnavailable`` when the
    directory cannot be asked and no local password matches.

    An unknown, inactive or password-less account costs one password hash too, so that the
    answer's timing does not tell which account names exist.
    """
    from app.accounts import directory

    if directory.enabled():
        try:
            entry = directory.authenticate(identifier, password)
        except directory.DirectoryUnavailable:
            local = find_by_login(identifier)
            if local is not None and local.active and local.check_password(password or ""):
                return local
            raise
        if entry is not None:
            employee = employee_from_directory(entry)
            if employee is not None and employee.active:
                return employee
    employee = find_by_login(identifier)
    if employee is None or not employee.active or not employee.password_hash:
        check_password_hash(_dummy_password_hash(), password or "")
        matched = False
    else:
        matched = employee.check_password(password or "")
    if not matched:
        audit.record("sign_in.failed", "employee", employee.id if employee else None)
        db.session.commit()
        return None
    return employee


def employee_from_directory(entry) -> Employee | None:
    """Create or update the employee a directory entry describes; roles follow its groups.

    Returns None for an employee the city deactivated (the roster decides who works here).
    """
    from app.accounts import directory

    employee = db.session.scalar(
        select(Employee).where(Employee.staff_number == entry.staff_number)
    )
    department = None
    if entry.department_code:
        department = db.session.scalar(
            select(Department).where(Department.code == entry.department_code)
        )
    if employee is None:
        employee = Employee(
            staff_number=entry.staff_number,
            name=entry.name,
            name_kana=entry.name_kana,
            department=department,
            active=True,
        )
        db.session.add(employee)
        db.session.flush()
        if department is not None:
            db.session.add(
                DepartmentMembership(
                    employee=employee, department=department, started_on=clock.today()
                )
            )
        audit.record(
            "employee.created_from_directory", "employee", employee.id, actor_id=employee.id
        )
    elif not employee.active:
        return None
    else:
        employee.name = entry.name or employee.name
        employee.name_kana = entry.name_kana or employee.name_kana
        if department is not None and employee.department_id != department.id:
            move_to_department(employee, department, clock.today())
    if (
        entry.email
        and db.session.scalar(
            select(func.count(Employee.id)).where(
                func.lower(Employee.email) == entry.email.lower(), Employee.id != employee.id
            )
        )
        == 0
    ):
        employee.email = entry.email
    managed = directory.group_roles()
    wanted = {Role(role) for dn, role in managed.items() if dn in entry.groups}
    current = {Role(r.role) for r in employee.role_rows}
    roles = (current - {Role(r) for r in managed.values()}) | wanted
    db.session.flush()
    if roles != current:
        set_roles(employee, roles, actor=None, via="directory")  # commits
    else:
        db.session.commit()
    return employee


def record_sign_in(employee: Employee, method: str = "password") -> None:
    employee.last_login_at = utcnow()
    audit.record("sign_in", "employee", employee.id, actor_id=employee.id, method=method)
    db.session.commit()


def end_sessions(employee: Employee) -> None:
    """Make every session cookie of ``employee`` stop working (the caller commits)."""
    employee.session_generation = (employee.session_generation or 0) + 1


def record_sign_out(employee: Employee) -> None:
    """Signing out ends the employee's sessions everywhere, including any copied cookie."""
    end_sessions(employee)
    audit.record("sign_out", "employee", employee.id, actor_id=employee.id)
    db.session.commit()


def set_locale(employee: Employee, locale: str) -> None:
    employee.locale = locale
    db.session.commit()


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    return None


def change_password(employee: Employee, current: str, new: str) -> tuple[str, str] | None:
    """Return (field, error message), or None when the password was changed."""
    if not employee.check_password(current):
        return "current", _("The current password is not correct.")
    problem = password_problem(new)
    if problem:
        return "new", problem
    employee.set_password(new)
    end_sessions(employee)
    audit.record("password.changed", "employee", employee.id)
    db.session.commit()
    return None


def reset_password(employee: Employee) -> str:
    """Give the employee a temporary password, returned once to show to the administrator."""
    temporary = secrets.token_urlsafe(9)
    employee.set_password(temporary)
    end_sessions(employee)
    audit.record("password.reset", "employee", employee.id)
    db.session.commit()
    return temporary


# --- administration -------------------------------------------------------------------------


class RoleGrantRefused(Exception):
    """The acting employee may not give these roles to this employee (see ``may_grant_roles``)."""


def set_roles(
    employee: Employee, roles: set[Role], actor: Employee | None = None, via: str = "admin_page"
) -> None:
    """Replace the employee's roles. ``actor`` is the signed-in system admin (None from the
    command line). Granting an overseen role (the 相談室's) is its own audit event, which the
    相談室's audit page shows by default."""
    roles = {Role(r) for r in roles} - {Role.LEARNER}
    before = {Role(r.role) for r in employee.role_rows}
    added, removed = roles - before, before - roles
    if added and not may_grant_roles(actor, employee):
        raise RoleGrantRefused
    if (Role.PARTNER in roles or Role.PARTNER in before) and roles != before:
        # A partner agency's account is made and ended with its agency (app/partners).
        raise RoleGrantRefused
    employee.role_rows = [EmployeeRole(role=str(r)) for r in sorted(roles)]
    if removed:
        end_sessions(employee)  # a role taken away takes its open pages with it
    audit.record(
        "roles.changed",
        "employee",
        employee.id,
        actor_id=actor.id if actor else None,
        added=sorted(map(str, added)),
        removed=sorted(map(str, removed)),
    )
    for role in sorted(added & OVERSEEN_ROLES):
        audit.record(
            f"role.{role}_granted",
            "employee",
            employee.id,
            actor_id=actor.id if actor else None,
            via=via,
        )
    db.session.commit()


def set_active(employee: Employee, active: bool) -> None:
    """Deactivate or reactivate. Employees are never deleted: their training history stays."""
    employee.active = active
    if not active:
        end_sessions(employee)
    audit.record(
        "employee.activated" if active else "employee.deactivated", "employee", employee.id
    )
    db.session.commit()


def current_membership(employee: Employee) -> DepartmentMembership | None:
    for membership in employee.memberships:
        if membership.ended_on is None:
            return membership
    return None


def move_to_department(
    employee: Employee, department: Department, on: date, position: str | None = None
) -> bool:
    """Record a transfer on ``on``. Returns True when the department changed."""
    current = current_membership(employee)
    if current is not None and current.department_id == department.id:
        current.position = position or current.position
        employee.department = department
        return False
    if current is not None:
        # A membership that started today and ends today (a same-day correction) keeps one day.
        current.ended_on = max(current.started_on, on - timedelta(days=1))
    db.session.add(
        DepartmentMembership(
            employee=employee, department=department, position=position, started_on=on
        )
    )
    employee.department = department
    return current is not None


# --- roster import --------------------------------------------------------------------------


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    transferred: int = 0
    deactivated: int = 0
    reactivated: int = 0
    unchanged: int = 0
    new_departments: list[str] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def import_roster(
    parsed: ParsedRoster,
    *,
    dry_run: bool = False,
    deactivate_missing: bool = False,
    effective_on: date | None = None,
) -> ImportSummary:
    """Apply a parsed roster in one transaction: all rows or, on any error, nothing.

    Upserts by 職員番号; a changed 所属 is a transfer (history kept); staff missing from the file
    are deactivated only when ``deactivate_missing`` (the file is then the full roster).
    """
    summary = ImportSummary(dry_run=dry_run, errors=list(parsed.errors))
    if summary.errors:
        return summary
    effective_on = effective_on or clock.today()

    departments = {d.code: d for d in db.session.scalars(select(Department))}
    employees = {e.staff_number: e for e in db.session.scalars(select(Employee))}
    summary.errors += _conflicts(parsed, departments, employees)
    if summary.errors:
        return summary

    touched: list[Employee] = []
    transfers: list[tuple[Employee, int | None, Department]] = []
    try:
        for row in parsed.rows:
            department = _department_for(row, departments, summary)
            touched.append(_apply_row(row, department, employees, effective_on, summary, transfers))
        if deactivate_missing:
            _deactivate_missing(parsed, employees, effective_on, summary)
        db.session.flush()
        if dry_run:
            db.session.rollback()
            return summary
        audit.record(
            "roster.imported",
            "roster",
            None,
            added=summary.added,
            updated=summary.updated,
            transferred=summary.transferred,
            deactivated=summary.deactivated,
            reactivated=summary.reactivated,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    summary.applied = True
    app = current_app._get_current_object()
    for employee, before, after in transfers:
        employee_transferred.send(
            app, employee_id=employee.id, from_department_id=before, to_department_id=after.id
        )
    roster_imported.send(app, employee_ids=[e.id for e in touched])
    return summary


def _conflicts(
    parsed: ParsedRoster, departments: dict[str, Department], employees: dict[str, Employee]
) -> list[RosterError]:
    """Rows the database refuses: an e-mail address of another employee, a new 所属 unnamed."""
    errors = []
    email_owner = {e.email: e.staff_number for e in employees.values() if e.email}
    for row in parsed.rows:
        owner = email_owner.get(row.email) if row.email else None
        if owner and owner != row.staff_number:
            errors.append(
                RosterError(
                    row.row,
                    "メール",
                    _("%(email)s belongs to employee %(number)s.", email=row.email, number=owner),
                )
            )
        if row.department_code not in departments and not row.department_name:
            errors.append(
                RosterError(
                    row.row,
                    "所属名",
                    _(
                        "所属コード %(code)s is new, so 所属名 is needed to register it.",
                        code=row.department_code,
                    ),
                )
            )
    return errors


def _department_for(
    row: RosterRow, departments: dict[str, Department], summary: ImportSummary
) -> Department:
    """The row's 所属, registered when the file names a new one."""
    department = departments.get(row.department_code)
    if department is None:
        department = Department(
            code=row.department_code, name_ja=row.department_name, sort_order=9999
        )
        db.session.add(department)
        departments[row.department_code] = department
        summary.new_departments.append(f"{row.department_code} {row.department_name}")
    return department


def _apply_row(
    row: RosterRow,
    department: Department,
    employees: dict[str, Employee],
    effective_on: date,
    summary: ImportSummary,
    transfers: list[tuple[Employee, int | None, Department]],
) -> Employee:
    """Add or update the row's employee, counting what happened in ``summary``."""
    employee = employees.get(row.staff_number)
    if employee is None:
        employee = _new_employee(row, department, effective_on)
        employees[row.staff_number] = employee
        summary.added += 1
        return employee
    before_department = employee.department_id
    changed = _update_employee(employee, row)
    if not employee.active:
        employee.active = True
        summary.reactivated += 1
        changed = True
    db.session.flush()
    if move_to_department(employee, department, effective_on, row.position or None):
        summary.transferred += 1
        transfers.append((employee, before_department, department))
    elif changed:
        summary.updated += 1
    else:
        summary.unchanged += 1
    return employee


def _deactivate_missing(
    parsed: ParsedRoster,
    employees: dict[str, Employee],
    effective_on: date,
    summary: ImportSummary,
) -> None:
    """Deactivate the staff the full roster no longer lists (their sessions end with it)."""
    present = {r.staff_number for r in parsed.rows}
    for number, employee in employees.items():
        # Partner agencies' accounts are not in the city's personnel roster.
        if number not in present and employee.active and Role.PARTNER not in employee.roles:
            employee.active = False
            end_sessions(employee)
            current = current_membership(employee)
            if current is not None:
                current.ended_on = effective_on
            summary.deactivated += 1


def _new_employee(row: RosterRow, department: Department, on: date) -> Employee:
    employee = Employee(
        staff_number=row.staff_number,
        name=row.name,
        name_kana=row.name_kana,
        email=row.email or None,
        position=row.position or None,
        department=department,
        active=True,
    )
    db.session.add(employee)
    db.session.add(
        DepartmentMembership(
            employee=employee, department=department, position=row.position or None, started_on=on
        )
    )
    return employee


def _update_employee(employee: Employee, row: RosterRow) -> bool:
    changed = False
    for attr, value in (
        ("name", row.name),
        ("name_kana", row.name_kana),
        ("email", row.email or None),
        ("position", row.position or None),
    ):
        if getattr(employee, attr) != value:
            setattr(employee, attr, value)
            changed = True
    return changed

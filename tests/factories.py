"""Small factory helpers for tests."""

from __future__ import annotations

import itertools
import re
from datetime import date

from werkzeug.security import generate_password_hash

from app.accounts.models import Department, DepartmentMembership, Employee, EmployeeRole
from app.extensions import db as _db

PASSWORD = "correct-horse-battery"
# A cheap hash keeps the suite fast; production uses werkzeug's default (scrypt).
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

_seq = itertools.count(1)


def make_department(code=None, name_ja=None, parent=None, name_en=None) -> Department:
    n = next(_seq)
    department = Department(
        code=code or f"D{n:04d}", name_ja=name_ja or f"テスト課{n}", name_en=name_en, parent=parent
    )
    _db.session.add(department)
    _db.session.commit()
    return department


def make_employee(
    department=None,
    roles=(),
    staff_number=None,
    name=None,
    name_kana=None,
    email=None,
    active=True,
    position="主事",
    password=True,
) -> Employee:
    n = next(_seq)
    department = department or make_department()
    employee = Employee(
        staff_number=staff_number or f"9{n:05d}",
        name=name or f"試験 太郎{n}",
        name_kana=name_kana or "シケン タロウ",
        email=email,
        position=position,
        department=department,
        active=active,
        password_hash=PASSWORD_HASH if password else None,
    )
    employee.role_rows = [EmployeeRole(role=str(r)) for r in roles]
    _db.session.add(employee)
    _db.session.add(
        DepartmentMembership(employee=employee, department=department, started_on=date(2026, 4, 1))
    )
    _db.session.commit()
    return employee


def login(client, employee, password=PASSWORD):
    response = client.post("/login", data={"login": employee.staff_number, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)

"""Lines whose mutation once passed the whole suite: a roster import that fails while applying
keeps nothing, the roster is validated again when applied, a deactivated employee's cookie no
longer signs them in, and the quiz pass mark includes the mark itself."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from app.accounts import roster, service
from app.accounts.models import Department, Employee
from app.core import audit
from app.core.models import AuditEvent
from app.core.permissions import Role
from app.quizzes.service import passes
from tests.accounts.test_roster import csv_bytes
from tests.factories import login, make_department, make_employee


def test_a_roster_import_that_fails_while_applying_keeps_nothing(db, monkeypatch):
    tax = make_department(code="1040", name_ja="税務課")
    moved = make_employee(department=make_department(code="2010", name_ja="市民課"))
    parsed = roster.parse(
        csv_bytes(
            [
                "700101,新人 一郎,シンジン イチロウ,1040,税務課,主事,",
                f"{moved.staff_number},{moved.name},シケン タロウ,1040,税務課,主事,",
                "700102,新人 二郎,シンジン ジロウ,9999,新設課,主事,",
            ]
        )
    )

    def fails(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "record", fails)  # the last step of applying fails
    with pytest.raises(RuntimeError):
        service.import_roster(parsed)
    monkeypatch.undo()
    db.session.expire_all()
    assert (
        db.session.scalar(select(Employee).where(Employee.staff_number.in_(["700101", "700102"])))
        is None
    )
    assert db.session.scalar(select(Department).where(Department.code == "9999")) is None
    assert db.session.get(Employee, moved.id).department_id != tax.id  # the transfer was undone too


def test_the_roster_is_validated_again_when_applied(client, db):
    make_department(code="1040", name_ja="税務課")
    login(client, make_employee(roles=[Role.TRAINING_ADMIN]))
    data = csv_bytes(["700201,窓口 花子,マドグチ ハナコ,1040,税務課,主事,hanako@city.awara.lg.jp"])
    preview = client.post(
        "/admin/roster", data={"file": (BytesIO(data), "r.csv")}, content_type="multipart/form-data"
    )
    token = re.search(
        r'name="token" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)
    ).group(1)
    # Between the preview and the apply, the address is given to someone else.
    make_employee(email="hanako@city.awara.lg.jp", staff_number="700299")

    applied = client.post("/admin/roster/apply", data={"token": token, "deactivate_missing": ""})
    html = applied.get_data(as_text=True)
    assert applied.status_code == 200
    assert "hanako@city.awara.lg.jp" in html and "700299" in html  # the error names the owner
    assert "取り込みました" not in html
    db.session.expire_all()
    assert db.session.scalar(select(Employee).where(Employee.staff_number == "700201")) is None
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported")) is None
    )


def test_a_deactivated_employee_is_signed_out_at_the_next_request(app, client, db):
    person = make_employee()
    login(client, person)
    assert client.get("/").status_code == 200
    # Deactivated directly in the database (no session-ending step ran): the flag alone is enough.
    db.session.get(Employee, person.id).active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code in (302, 401) and "/login" in response.headers.get(
        "Location", "/login"
    )


@pytest.mark.parametrize(
    ("correct", "total", "mark", "passed"),
    [
        (8, 10, 80, True),  # exactly the mark passes
        (7, 10, 80, False),
        (4, 5, 80, True),
        (3, 5, 60, True),
        (1, 3, 34, False),
    ],
)
def test_the_pass_mark_itself_passes(correct, total, mark, passed):
    assert passes(correct, total, mark) is passed

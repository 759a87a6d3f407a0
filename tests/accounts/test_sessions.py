"""Sessions that end: a copied session cookie stops working with the events that must end it."""

from __future__ import annotations

import time

import pytest
from flask_login.utils import encode_cookie

from app.accounts import roster, service
from app.core.permissions import Role
from tests.factories import PASSWORD, login, make_employee


def _copy_of(client, app):
    """A second browser holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sign_out_ends_a_copied_cookie(app, client):
    person = make_employee()
    login(client, person)
    copy = _copy_of(client, app)
    assert _signed_in(copy)
    client.post("/logout")
    assert not _signed_in(copy)
    assert not _signed_in(client)


def test_changing_ones_password_ends_other_sessions_and_keeps_this_one(app, client):
    person = make_employee()
    login(client, person)
    copy = _copy_of(client, app)
    new = "a-new-long-password"
    response = client.post(
        "/account/password", data={"current": PASSWORD, "new": new, "confirm": new}
    )
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(copy)


def test_password_reset_by_the_admin_ends_the_employees_sessions(app, client):
    admin, person = make_employee(roles=[Role.SYSTEM_ADMIN]), make_employee()
    learner = app.test_client()
    login(learner, person)
    copy = _copy_of(learner, app)
    login(client, admin)
    assert client.post(f"/admin/employees/{person.id}/password").status_code == 200
    assert not _signed_in(learner)
    assert not _signed_in(copy)
    assert _signed_in(client)


def test_deactivation_ends_the_session_and_reactivation_does_not_revive_it(app, client):
    admin, person = make_employee(roles=[Role.SYSTEM_ADMIN]), make_employee()
    learner = app.test_client()
    login(learner, person)
    login(client, admin)
    client.post(f"/admin/employees/{person.id}/active")
    assert not _signed_in(learner)
    client.post(f"/admin/employees/{person.id}/active")  # reactivated
    assert not _signed_in(learner)
    login(learner, person)
    assert _signed_in(learner)


def test_roster_deactivation_ends_the_session(app, db):
    person = make_employee()
    learner = app.test_client()
    login(learner, person)
    # A full roster that no longer lists the employee.
    keep = make_employee()
    csv = (
        "職員番号,氏名,氏名カナ,所属コード,所属名\n"
        f"{keep.staff_number},{keep.name},シケン,{keep.department.code},{keep.department.name_ja}\n"
    )
    summary = service.import_roster(roster.parse(csv.encode()), deactivate_missing=True)
    assert summary.applied and summary.deactivated == 1
    db.session.refresh(person)
    # Reactivated behind the admin's back (as a later roster would): the old cookie stays dead.
    person.active = True
    db.session.commit()
    assert not _signed_in(learner)


def test_taking_a_role_away_ends_the_session_and_granting_does_not(app, client):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    person = make_employee(roles=[Role.CONSULTATION, Role.CONTENT_ADMIN])
    staff = app.test_client()
    login(staff, person)
    login(client, admin)
    client.post(
        f"/admin/employees/{person.id}/roles",
        data={"roles": ["consultation", "content_admin", "department_head"]},
    )
    assert _signed_in(staff)
    client.post(
        f"/admin/employees/{person.id}/roles", data={"roles": ["content_admin", "department_head"]}
    )
    assert not _signed_in(staff)


def test_a_session_ends_after_the_absolute_lifetime_even_when_active(app, client):
    app.config["SESSION_MAX_HOURS"] = 10
    person = make_employee()
    login(client, person)
    with client.session_transaction() as sess:
        sess["signed_in_at"] -= 9 * 3600 + 3000  # signed in 9 h 50 min ago
    assert _signed_in(client)
    assert _signed_in(client)  # being active does not move the start
    with client.session_transaction() as sess:
        sess["signed_in_at"] -= 601  # 10 h 0 min 1 s
    assert not _signed_in(client)
    login(client, person)
    assert _signed_in(client)


def test_a_remember_me_cookie_does_not_open_a_session(app):
    person = make_employee()
    browser = app.test_client()
    with app.test_request_context():
        value = encode_cookie(person.get_id())
    browser.set_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), value)
    assert not _signed_in(browser)


def test_sign_in_never_sets_a_remember_me_cookie(client):
    person = make_employee()
    response = login(client, person)
    assert all("remember_token" not in header for header in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("forged", ["1", "1:", ":0", "x:0", "1:0:0"])
def test_malformed_session_ids_are_refused(app, client, forged):
    make_employee()
    with client.session_transaction() as sess:
        sess["_user_id"] = forged
        sess["signed_in_at"] = int(time.time())
    assert not _signed_in(client)


def test_loading_the_signed_in_employee_is_one_statement(app, db):
    from flask import session
    from sqlalchemy import event

    from app.accounts import sso

    session_id = make_employee(roles=[Role.CONSULTATION]).get_id()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.test_request_context():
        session["signed_in_at"] = int(time.time())
        db.session.expunge_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            loaded = sso.load_user(session_id)
            assert loaded.has_role(Role.CONSULTATION)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements


def test_sign_out_tells_the_browser_to_drop_stored_drafts(client):
    person = make_employee()
    login(client, person)
    response = client.post("/logout")
    assert response.headers["Clear-Site-Data"] == '"storage"'
    assert "data-signed-out" in client.get("/login").get_data(as_text=True)
    assert "data-signed-out" not in client.get("/login").get_data(as_text=True)  # only once

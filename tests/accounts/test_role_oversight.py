"""Granting the 相談室's role is seen by the 相談室; nobody grants themselves a role."""

from app.core.models import AuditEvent
from app.core.permissions import Role
from tests.factories import login, make_employee


def _audit_page(app, lead) -> str:
    reader = app.test_client()
    login(reader, lead)
    return reader.get("/consultation/audit").get_data(as_text=True)


def test_granting_the_consultation_role_on_the_admin_page_shows_on_the_consultation_audit_page(
    app, client, db
):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN], name="情報 管理者")
    target = make_employee()
    lead = make_employee(roles=[Role.CONSULTATION])
    login(client, admin)
    client.post(f"/admin/employees/{target.id}/roles", data={"roles": ["consultation"]})
    db.session.refresh(target)
    assert Role.CONSULTATION in target.roles
    event = db.session.query(AuditEvent).filter_by(action="role.consultation_granted").one()
    assert (event.object_id, event.actor_id, event.detail) == (
        str(target.id),
        admin.id,
        {"via": "admin_page"},
    )
    html = _audit_page(app, lead)
    assert f"{target.name}（{target.staff_number}）" in html and "職員管理画面" in html
    assert "相談室の権限の付与" in html and "情報 管理者" in html


def test_granting_on_the_command_line_is_recorded_too(app, db):
    target = make_employee()
    lead = make_employee(roles=[Role.CONSULTATION])
    result = app.test_cli_runner().invoke(
        args=["staff", "grant", target.staff_number, "consultation"]
    )
    assert result.exit_code == 0, result.output
    event = db.session.query(AuditEvent).filter_by(action="role.consultation_granted").one()
    assert (event.object_id, event.actor_id, event.detail) == (str(target.id), None, {"via": "cli"})
    html = _audit_page(app, lead)
    assert "相談室の権限の付与" in html and f"{target.name}（{target.staff_number}）" in html


def test_other_roles_are_not_overseen_by_the_consultation_office(client, db):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    target = make_employee(roles=[Role.CONSULTATION])
    login(client, admin)
    client.post(
        f"/admin/employees/{target.id}/roles", data={"roles": ["consultation", "content_admin"]}
    )
    assert db.session.query(AuditEvent).filter_by(action="role.consultation_granted").count() == 0


def test_a_system_admin_cannot_grant_themselves_a_role(app, client, db):
    admin = make_employee(roles=[Role.SYSTEM_ADMIN])
    login(client, admin)
    response = client.post(
        f"/admin/employees/{admin.id}/roles",
        data={"roles": ["system_admin", "consultation"]},
        follow_redirects=True,
    )
    assert "自分自身に権限を付与することはできません" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.roles == {Role.LEARNER, Role.SYSTEM_ADMIN}
    assert (
        db.session.query(AuditEvent)
        .filter(AuditEvent.action.in_(["roles.changed", "role.consultation_granted"]))
        .count()
        == 0
    )
    # Another system admin can.
    other, colleague = make_employee(roles=[Role.SYSTEM_ADMIN]), app.test_client()
    login(colleague, other)
    colleague.post(
        f"/admin/employees/{admin.id}/roles", data={"roles": ["system_admin", "consultation"]}
    )
    db.session.refresh(admin)
    assert Role.CONSULTATION in admin.roles

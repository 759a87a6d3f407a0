"""Every route declares who may use it, and the declarations are enforced."""

import pytest
from flask import Blueprint

from app.core.permissions import Permission, Role, declared_access, permissions_for
from tests.factories import login, make_employee


def test_every_route_declares_a_permission(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if declared_access(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == []


def test_a_route_without_declaration_is_refused(app, client):
    bp = Blueprint("undeclared_probe", __name__)

    @bp.get("/__probe")
    def probe():
        return "open"

    app.register_blueprint(bp)
    assert client.get("/__probe").status_code == 403


def test_every_role_is_a_learner_and_training_admin_cannot_handle_referrals():
    for role in Role:
        assert Permission.LEARN in permissions_for({role})
        assert Permission.REFER in permissions_for({role})
    assert Permission.HANDLE_REFERRALS not in permissions_for({Role.TRAINING_ADMIN, Role.DEPARTMENT_HEAD})


@pytest.mark.parametrize(
    ("roles", "status"),
    [((), 403), ((Role.TRAINING_ADMIN,), 403), ((Role.SYSTEM_ADMIN,), 200)],
)
def test_employee_admin_needs_system_admin(client, roles, status):
    login(client, make_employee(roles=roles))
    assert client.get("/admin/employees").status_code == status


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/employees")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_deactivated_employee_loses_access_at_once(client, db):
    person = make_employee()
    login(client, person)
    assert client.get("/").status_code == 200
    person.active = False
    db.session.commit()
    assert client.get("/").status_code == 302

"""Every route declares who may use it, and the declarations are enforced."""

import pytest
from flask import Blueprint

from app.core.permissions import EXCLUSIVE_ROLES, Permission, Role, declared_access, permissions_for
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
    for role in set(Role) - EXCLUSIVE_ROLES:
        assert Permission.LEARN in permissions_for({role})
        assert Permission.REFER in permissions_for({role})
    assert Permission.HANDLE_REFERRALS not in permissions_for(
        {Role.TRAINING_ADMIN, Role.DEPARTMENT_HEAD}
    )


def test_the_partner_role_stands_alone_and_its_permission_is_its_own():
    assert permissions_for({Role.PARTNER}) == {Permission.VIEW_PARTNER_CASES}
    # Given together with other roles by mistake, it still gives nothing else.
    assert permissions_for({Role.PARTNER, Role.CONSULTATION, Role.SYSTEM_ADMIN}) == {
        Permission.VIEW_PARTNER_CASES
    }
    for role in set(Role) - {Role.PARTNER}:
        assert Permission.VIEW_PARTNER_CASES not in permissions_for({role})
        assert Permission.VIEW_PARTNER_CASES not in permissions_for(set(Role) - {Role.PARTNER})


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


# The training office's quiz pages: HR (研修担当) may use them; nobody else, whatever else they hold.
TRAINING_ADMIN_ROUTES = [
    ("GET", "/quizzes/reports/locked-out"),
    ("GET", "/quizzes/reports/locked-out/practice-quiz"),
    ("POST", "/quizzes/reports/locked-out/practice-quiz"),
]
ROLE_SETS = {
    "learner": (),
    "department head": (Role.DEPARTMENT_HEAD,),
    "content admin": (Role.CONTENT_ADMIN,),
    "consultation staff": (Role.CONSULTATION,),
    "system admin": (Role.SYSTEM_ADMIN,),
    "content admin + department head + consultation + system admin": (
        Role.CONTENT_ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.CONSULTATION,
        Role.SYSTEM_ADMIN,
    ),
    "training admin": (Role.TRAINING_ADMIN,),
}


def test_the_training_admin_route_list_covers_every_such_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/quizzes/reports/locked-out"):
            path = rule.rule.replace("<slug>", "practice-quiz")
            routes |= {(m, path) for m in rule.methods & {"GET", "POST"}}
    assert routes == set(TRAINING_ADMIN_ROUTES)


@pytest.mark.parametrize("who", ROLE_SETS, ids=list(ROLE_SETS))
@pytest.mark.parametrize(
    ("method", "route"), TRAINING_ADMIN_ROUTES, ids=[f"{m} {r}" for m, r in TRAINING_ADMIN_ROUTES]
)
def test_quiz_attempt_grants_need_the_training_admin(app, client, who, method, route):
    from app.quizzes import content
    from app.quizzes.models import QuizAttemptGrant
    from tests.quizzes.conftest import FIXTURE_ROOT

    content.sync(content.find(FIXTURE_ROOT), FIXTURE_ROOT)
    login(client, make_employee(roles=ROLE_SETS[who]))
    response = client.open(
        route, method=method, data={"employee": "1", "extra_attempts": "1", "reason": "理由"}
    )
    if Role.TRAINING_ADMIN in ROLE_SETS[who]:
        assert response.status_code == (
            200 if method == "GET" else 400
        )  # the POST names nobody locked out
    else:
        assert response.status_code == 403
    from app.extensions import db

    assert db.session.query(QuizAttemptGrant).count() == 0


@pytest.mark.parametrize(("method", "route"), TRAINING_ADMIN_ROUTES)
def test_quiz_attempt_grant_pages_send_visitors_to_sign_in(client, method, route):
    response = client.open(route, method=method)
    assert response.status_code == 302 and "/login" in response.headers["Location"]

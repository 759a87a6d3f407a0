"""Role × route for the casework pages: the office only; every load only for the office lead."""

import pytest

from app.casework.models import FollowUpCheck
from app.core import clock
from app.core.permissions import Role
from app.extensions import db, limiter
from app.referrals import meetings, service
from tests.conftest import build_app, empty_all_tables
from tests.factories import login, make_employee
from tests.referrals.helpers import make_referral

OFFICE_ROUTES = [
    ("GET", "/casework/caseload"),
    ("GET", "/casework/cases/{case_id}/handover"),
    ("POST", "/casework/cases/{case_id}/handover"),
    ("GET", "/casework/cases/{case_id}/review"),
    ("POST", "/casework/cases/{case_id}/review"),
    ("POST", "/casework/meetings/{meeting_id}/items/{item_id}/closure"),
    ("POST", "/casework/follow-ups/{check_id}"),
]
LEAD_ROUTES = [("GET", "/casework/caseloads"), ("GET", "/casework/caseloads/{worker_id}")]
ROLES = {
    "learner": (),
    "department head": (Role.DEPARTMENT_HEAD,),
    "HR (training admin)": (Role.TRAINING_ADMIN,),
    "content admin": (Role.CONTENT_ADMIN,),
    "system admin": (Role.SYSTEM_ADMIN,),
    "partner agency staff": (Role.PARTNER,),
    "consultation staff (the lead worker)": (Role.CONSULTATION,),
    "office lead": (Role.CONSULTATION, Role.CONSULTATION_LEAD),
}


@pytest.fixture(scope="module")
def app(database_url, instance_dir):
    app = build_app(database_url, instance_dir)
    ctx = app.app_context()
    ctx.push()
    yield app
    ctx.pop()
    empty_all_tables(app)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    limiter.reset()


@pytest.fixture(scope="module")
def world(app):
    people = {name: make_employee(roles=roles) for name, roles in ROLES.items()}
    worker = people["consultation staff (the lead worker)"]
    case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    case.flagged_for_meeting = True
    meeting = meetings.prepare(clock.today(), actor_id=worker.id)
    check = FollowUpCheck(case_id=case.id, worker_id=worker.id, due_on=clock.today())
    db.session.add(check)
    db.session.commit()
    return people, {
        "case_id": case.id,
        "worker_id": worker.id,
        "meeting_id": meeting.id,
        "item_id": meeting.items[0].id,
        "check_id": check.id,
    }


def test_the_lists_cover_every_casework_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("casework."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods & {"GET", "POST"}}
    assert routes == set(OFFICE_ROUTES + LEAD_ROUTES)


@pytest.mark.parametrize("role", ROLES, ids=list(ROLES))
@pytest.mark.parametrize(
    ("method", "route"),
    OFFICE_ROUTES + LEAD_ROUTES,
    ids=[f"{m} {r}" for m, r in OFFICE_ROUTES + LEAD_ROUTES],
)
def test_casework_routes_by_role(client, world, role, method, route):
    people, ids = world
    login(client, people[role])
    response = client.open(route.format(**ids), method=method, data={})
    roles = ROLES[role]
    allowed = Role.CONSULTATION in roles and (
        (method, route) in OFFICE_ROUTES or Role.CONSULTATION_LEAD in roles
    )
    if allowed:
        assert response.status_code in ((200,) if method == "GET" else (400, 303))
    else:
        assert response.status_code == 403
        assert "粟田" not in response.get_data(as_text=True)

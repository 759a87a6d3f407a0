"""Only consultation staff see referral and case details: every route × every role."""

import pytest

from app.core.permissions import Role
from app.extensions import db, limiter
from app.referrals import cases, meetings, service
from tests.conftest import build_app, empty_all_tables
from tests.factories import login, make_employee
from tests.referrals.helpers import make_referral, office_staff

# Every referral/case route that shows or changes details. A new route must be added here
# (test_the_list_covers_every_detail_route fails otherwise).
DETAIL_ROUTES = [
    ("GET", "/consultation/inbox"),
    ("GET", "/consultation/referrals/{referral_id}"),
    ("POST", "/consultation/referrals/{referral_id}"),
    ("POST", "/consultation/referrals/{referral_id}/triage"),
    ("GET", "/consultation/cases"),
    ("POST", "/consultation/cases"),
    ("GET", "/consultation/cases/stale"),
    ("GET", "/consultation/cases/{case_id}"),
    ("POST", "/consultation/cases/{case_id}/entries"),
    ("POST", "/consultation/cases/{case_id}/plan"),
    ("POST", "/consultation/cases/{case_id}/members"),
    ("POST", "/consultation/cases/{case_id}/agencies"),
    ("POST", "/consultation/cases/{case_id}/agencies/{agency_id}/end"),
    ("POST", "/consultation/cases/{case_id}/pause"),
    ("POST", "/consultation/cases/{case_id}/resume"),
    ("POST", "/consultation/cases/{case_id}/closure"),
    ("POST", "/consultation/cases/{case_id}/closure/approve"),
    ("POST", "/consultation/cases/{case_id}/closure/withdraw"),
    ("POST", "/consultation/cases/{case_id}/reopen"),
    ("GET", "/consultation/meetings"),
    ("POST", "/consultation/meetings"),
    ("GET", "/consultation/meetings/{meeting_id}"),
    ("POST", "/consultation/meetings/{meeting_id}/items/{item_id}"),
    ("GET", "/consultation/statistics"),
    ("GET", "/consultation/audit"),
]

ROLES = {
    "referrer (learner)": (),
    "department head": (Role.DEPARTMENT_HEAD,),
    "HR (training admin)": (Role.TRAINING_ADMIN,),
    "content admin": (Role.CONTENT_ADMIN,),
    "system admin": (Role.SYSTEM_ADMIN,),
    "HR + department head + system admin": (
        Role.TRAINING_ADMIN,
        Role.DEPARTMENT_HEAD,
        Role.SYSTEM_ADMIN,
    ),
    "partner agency staff": (Role.PARTNER,),
    "consultation staff": (Role.CONSULTATION,),
    "office lead": (Role.CONSULTATION, Role.CONSULTATION_LEAD),
}


@pytest.fixture(scope="module")
def app(database_url, instance_dir):
    """One app and one set of records for the whole module: the route × role grid only reads
    (or is refused), so building the records once keeps it fast."""
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
    people = {role: make_employee(roles=roles) for role, roles in ROLES.items()}
    (worker,) = office_staff()
    referrer = people["referrer (learner)"]  # the learner is the referrer of these referrals
    referral = make_referral(referrer)
    case = service.triage(
        make_referral(referrer), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    agency = cases.add_agency(case, "社会福祉協議会", "見守り", actor_id=worker.id)
    case.flagged_for_meeting = True
    meeting = meetings.prepare(service.today(), actor_id=worker.id)
    db.session.commit()
    ids = {
        "referral_id": referral.id,
        "case_id": case.id,
        "agency_id": agency.id,
        "meeting_id": meeting.id,
        "item_id": meeting.items[0].id,
    }
    return people, ids


def test_the_list_covers_every_detail_route(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("referrals.") and rule.rule.startswith("/consultation"):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods & {"GET", "POST"}}
    assert routes == set(DETAIL_ROUTES)


@pytest.mark.parametrize("role", ROLES, ids=list(ROLES))
@pytest.mark.parametrize(
    ("method", "route"), DETAIL_ROUTES, ids=[f"{m} {r}" for m, r in DETAIL_ROUTES]
)
def test_detail_routes_by_role(client, world, role, method, route):
    people, ids = world
    url = route.format(**ids)
    login(client, people[role])
    response = client.open(url, method=method, data={})
    if Role.CONSULTATION in ROLES[role] or Role.CONSULTATION_LEAD in ROLES[role]:
        assert response.status_code != 403
        if method == "GET":
            assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "粟田" not in response.get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for method, route in DETAIL_ROUTES + [("GET", "/refer"), ("GET", "/refer/mine")]:
        response = client.open(
            route.format(referral_id=1, case_id=1, agency_id=1, meeting_id=1, item_id=1),
            method=method,
        )
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_navigation_shows_office_pages_only_to_the_office(client, world):
    people, _ids = world
    login(client, people["HR (training admin)"])
    page = client.get("/").get_data(as_text=True)
    assert "/refer/mine" in page and "/consultation/inbox" not in page
    office = client.application.test_client()
    login(office, people["consultation staff"])
    page = office.get("/").get_data(as_text=True)
    for path in (
        "/consultation/inbox",
        "/consultation/cases",
        "/consultation/meetings",
        "/consultation/statistics",
        "/consultation/audit",
    ):
        assert path in page

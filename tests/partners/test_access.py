"""Role × route: the partner's pages are the partner's alone, and a partner reaches nothing else."""

import pytest

from app.core.models import AuditEvent
from app.core.permissions import Role
from app.extensions import db, limiter
from app.partners import service as partners
from tests.conftest import build_app, empty_all_tables
from tests.factories import login, make_employee
from tests.partners.helpers import make_agency, make_partner, shared_case

PARTNER_ROUTES = [
    ("GET", "/partners"),
    ("GET", "/partners/cases/{case_id}"),
    ("POST", "/partners/cases/{case_id}/entries"),
]
OFFICE_ROUTES = [
    ("GET", "/consultation/cases/{case_id}/sharing/{agency_id}"),
    ("POST", "/consultation/cases/{case_id}/sharing/{agency_id}"),
    ("GET", "/consultation/partner-updates"),
    ("POST", "/consultation/partner-updates/{entry_id}/read"),
]
ADMIN_ROUTES = [
    ("GET", "/admin/agencies"),
    ("POST", "/admin/agencies"),
    ("GET", "/admin/agencies/{agency_id}"),
    ("POST", "/admin/agencies/{agency_id}"),
    ("POST", "/admin/agencies/{agency_id}/accounts"),
    ("POST", "/admin/agencies/{agency_id}/accounts/{employee_id}/active"),
]
# What a partner must never reach, beside the office's and the admin's pages above.
OTHER_PAGES = [
    "/",
    "/refer",
    "/refer/mine",
    "/consultation/inbox",
    "/consultation/cases",
    "/consultation/cases/{case_id}",
    "/consultation/meetings",
    "/consultation/statistics",
    "/consultation/audit",
    "/courses/",
    "/videos/",
    "/scenarios/",
    "/quizzes/",
    "/reports/",
    "/admin/employees",
]

ROLES = {
    "learner": (),
    "department head": (Role.DEPARTMENT_HEAD,),
    "HR (training admin)": (Role.TRAINING_ADMIN,),
    "content admin": (Role.CONTENT_ADMIN,),
    "system admin": (Role.SYSTEM_ADMIN,),
    "consultation staff": (Role.CONSULTATION,),
    "office lead": (Role.CONSULTATION, Role.CONSULTATION_LEAD),
    "every role but the partner's": tuple(r for r in Role if r != Role.PARTNER),
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
    agency = make_agency()
    case, worker = shared_case(agency)
    partner = make_partner(agency)
    entry = partners.add_entry(
        case, agency, "note", "電話で様子を聞いた。", case.opened_at.date(), partner
    )
    db.session.commit()
    people = {name: make_employee(roles=roles) for name, roles in ROLES.items()}
    ids = {
        "case_id": case.id,
        "agency_id": agency.id,
        "entry_id": entry.id,
        "employee_id": partner.id,
    }
    return people, partner, ids


def test_the_lists_cover_every_route_of_the_area(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("partners."):
            path = rule.rule.replace("<int:", "{").replace(">", "}")
            routes |= {(m, path) for m in rule.methods & {"GET", "POST"}}
    assert routes == set(PARTNER_ROUTES + OFFICE_ROUTES + ADMIN_ROUTES)


@pytest.mark.parametrize("role", ROLES, ids=list(ROLES))
@pytest.mark.parametrize(
    ("method", "route"), PARTNER_ROUTES, ids=[f"{m} {r}" for m, r in PARTNER_ROUTES]
)
def test_partner_pages_are_refused_to_every_other_role(client, world, role, method, route):
    people, _partner, ids = world
    login(client, people[role])
    response = client.open(route.format(**ids), method=method, data={})
    assert response.status_code == 403
    assert "粟田" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "route"),
    OFFICE_ROUTES + ADMIN_ROUTES,
    ids=[f"{m} {r}" for m, r in OFFICE_ROUTES + ADMIN_ROUTES],
)
def test_a_partner_is_refused_the_office_and_admin_pages(client, world, method, route):
    _people, partner, ids = world
    login(client, partner)
    response = client.open(route.format(**ids), method=method, data={})
    assert response.status_code == 403


@pytest.mark.parametrize("route", OTHER_PAGES)
def test_a_partner_reaches_nothing_else(client, world, route):
    _people, partner, ids = world
    login(client, partner)
    response = client.get(route.format(**ids))
    if route == "/":
        assert response.status_code == 302 and response.headers["Location"].endswith("/partners")
    else:
        assert response.status_code == 403, route
    assert "粟田" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "route"), OFFICE_ROUTES, ids=[f"{m} {r}" for m, r in OFFICE_ROUTES]
)
@pytest.mark.parametrize("role", ROLES, ids=list(ROLES))
def test_the_office_pages_need_the_consultation_role(client, world, role, method, route):
    people, _partner, ids = world
    login(client, people[role])
    response = client.open(route.format(**ids), method=method, data={})
    if Role.CONSULTATION in ROLES[role] or Role.CONSULTATION_LEAD in ROLES[role]:
        assert response.status_code != 403
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("method", "route"), ADMIN_ROUTES, ids=[f"{m} {r}" for m, r in ADMIN_ROUTES]
)
@pytest.mark.parametrize("role", ROLES, ids=list(ROLES))
def test_the_agency_pages_need_the_system_admin(client, world, role, method, route):
    people, _partner, ids = world
    login(client, people[role])
    response = client.open(route.format(**ids), method=method, data={})
    if Role.SYSTEM_ADMIN in ROLES[role]:
        assert response.status_code != 403
    else:
        assert response.status_code == 403


def test_a_partners_navigation_shows_only_its_page(client, world):
    _people, partner, _ids = world
    login(client, partner)
    page = client.get("/partners").get_data(as_text=True)
    assert 'href="/partners"' in page
    for path in ("/consultation", "/refer", "/courses", "/admin", "/reports"):
        assert f'href="{path}' not in page, path


def test_every_partner_view_is_audited(client, world):
    _people, partner, ids = world
    login(client, partner)
    before = db.session.query(AuditEvent).filter_by(actor_id=partner.id).count()
    client.get("/partners")
    client.get(f"/partners/cases/{ids['case_id']}")
    events = (
        db.session.query(AuditEvent)
        .filter_by(actor_id=partner.id)
        .order_by(AuditEvent.id)
        .all()[before:]
    )
    assert [e.action for e in events] == ["partner_case_list.viewed", "partner_case.viewed"]
    assert events[0].detail["case_ids"] == [ids["case_id"]]
    assert events[1].object_id == str(ids["case_id"]) and events[1].detail["entry_ids"] == [
        ids["entry_id"]
    ]


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    _people, _partner, ids = world
    for method, route in PARTNER_ROUTES + OFFICE_ROUTES + ADMIN_ROUTES:
        response = client.open(route.format(**ids), method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]

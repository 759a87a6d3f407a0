"""Small helpers for the partner tests: an agency, a partner account, a case it has a role in."""

from __future__ import annotations

from app.core.permissions import Role
from app.extensions import db
from app.partners import service as partners
from app.referrals import cases, service
from tests.factories import PASSWORD_HASH, make_employee
from tests.referrals.helpers import make_referral, office_staff


def make_agency(name="あわら市社会福祉協議会", kind="social_welfare_council"):
    agency = partners.create_agency(name, kind, None)
    db.session.commit()
    return agency


def make_partner(agency, number=None):
    employee, _temporary = partners.add_account(
        agency,
        number or f"P{agency.id:02d}{len(agency.accounts):02d}",
        "連携 花子",
        "レンケイ ハナコ",
        "",
        None,
    )
    employee.password_hash = PASSWORD_HASH  # the factories' password, so that tests can sign in
    db.session.commit()
    return employee


def shared_case(agency, consent="verbal", worker=None, role="見守り・訪問"):
    worker = worker or office_staff()[0]
    referral = make_referral(
        make_employee(),
        consent=consent,
        legal_basis="consent" if consent in ("verbal", "written") else "child_abuse",
    )
    case = service.triage(referral, "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id)
    cases.add_agency(case, "", role, agency.id, actor_id=worker.id)
    db.session.commit()  # the request's commit: services only flush
    return case, worker


__all__ = ["Role", "make_agency", "make_partner", "shared_case"]

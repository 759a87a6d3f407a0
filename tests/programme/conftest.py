"""A small city with known numbers for the programme's figures.

Fiscal year 2025 (令和7年度) and 2026 (令和8年度), counted on 2026-12-04 (令和8年度 第3四半期):

tax (税務課, 10 staff, 8 trained in 2025-10 → 80% at the end of 2025Q3) referrals:
  2025-05-10 consent   → accepted: case A (open; a contact 2025-05-20; a review 2026-07-01; plan)
  2025-08-01 consent   → accepted: case B (closed 2026-02-10, goal met)
  2025-10-01 anonymous → information only
  2026-03-31 23:30 JST consent → accepted: case C opened 2026-04-01 (a visit 2026-04-10; plan)
  2026-04-01 00:10 JST consent → linked to case A
  2026-05-01 consent   → accepted: case D (closed 2026-09-30, moved)
  2026-06-01 child abuse notification (consent not confirmed) → accepted: case E
  2026-08-01, 2026-09-30 consent → not yet triaged
water (上下水道課, 5 staff, 2 trained) referrals:
  2026-01-10 consent   → redirected
  2026-07-01 anonymous → not yet triaged
the 社会福祉協議会 joins case A on 2026-05-01 and records a note on 2026-08-01
reviews: C found ready to close (2026-10-01, pending), D ready (2026-09-20, closed); a 見守り check
  on B done 2026-05-12, one on D due 2027-01-10
meetings: 2025-09-18 (A decided), 2026-06-18 (C, and E under the support meeting), 2026-12-20 (not held yet)
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from app.accounts.models import DepartmentMembership
from app.casework.models import CaseReview, FollowUpCheck
from app.core.permissions import Role
from app.courses.models import Course, CourseCompletion
from app.extensions import db as _db
from app.partners.models import Agency
from app.referrals import cases, meetings, service
from app.referrals.models import CaseEntry, Meeting, MeetingItem
from tests.factories import make_department, make_employee
from tests.referrals.helpers import referral_input

ON = date(2026, 12, 4)


def jst(y, m, d, hh=10, mm=0) -> datetime:
    """A stored (naive UTC) timestamp for a time in the city."""
    return datetime(y, m, d, hh, mm) - timedelta(hours=9)


def refer(employee, when: datetime, basis="consent"):
    overrides = {}
    if basis == "anonymous":
        overrides = dict(
            resident_name="",
            resident_kana="",
            consent="unconfirmed",
            legal_basis="anonymous",
            preferred_contact="no_contact",
        )
    elif basis == "child_abuse":
        overrides = dict(consent="unconfirmed", legal_basis="child_abuse", urgency="soon")
    referral, _ = service.submit_referral(
        employee, referral_input(**overrides), secrets.token_urlsafe(24)
    )
    referral.created_at = when
    _db.session.commit()
    return referral


def accept(referral, worker, opened: datetime):
    case = service.triage(
        referral, "accept", "複数の課題があるため。", lead_worker_id=worker.id, actor_id=worker.id
    )
    case.opened_at = opened
    referral.triaged_at = opened
    _db.session.commit()
    return case


def close(case, reason, closed: datetime, worker, colleague):
    cases.request_closure(case, reason, "支援を終える。", "", actor_id=worker.id)
    cases.approve_closure(case, actor_id=colleague.id)
    case.closed_at = closed
    _db.session.commit()


@pytest.fixture
def city(app):
    office = make_department(name_ja="福祉まるごと相談室")
    worker, colleague = (
        make_employee(department=office, roles=[Role.CONSULTATION]) for _ in range(2)
    )
    hr = make_employee(department=make_department(name_ja="人事課"), roles=[Role.TRAINING_ADMIN])
    learner = make_employee(department=office)
    general = make_department(name_ja="総務部")
    tax = make_department(name_ja="税務課", parent=general)
    water = make_department(name_ja="上下水道課", parent=make_department(name_ja="産業建設部"))
    tax_staff = [make_employee(department=tax) for _ in range(10)]
    water_staff = [make_employee(department=water) for _ in range(5)]
    _db.session.execute(update(DepartmentMembership).values(started_on=date(2025, 4, 1)))

    course = Course(
        slug="all-staff-tsunagu",
        title_ja="全職員研修",
        content_hash="x",
        source_path="courses/x.md",
    )
    _db.session.add(course)
    _db.session.flush()
    for i, employee in enumerate(tax_staff[:8]):
        _db.session.add(
            CourseCompletion(
                employee_id=employee.id,
                course_id=course.id,
                course_version=1,
                completed_at=jst(2025, 10, 1 + i),
                department_id=tax.id,
            )
        )
    for employee in water_staff[:2]:
        _db.session.add(
            CourseCompletion(
                employee_id=employee.id,
                course_id=course.id,
                course_version=1,
                completed_at=jst(2026, 5, 1),
                department_id=water.id,
            )
        )
    _db.session.commit()

    t = tax_staff
    r_a = refer(t[0], jst(2025, 5, 10))
    r_b = refer(t[1], jst(2025, 8, 1))
    r_anon = refer(t[2], jst(2025, 10, 1), "anonymous")
    r_c = refer(t[3], jst(2026, 3, 31, 23, 30))
    r_link = refer(t[4], jst(2026, 4, 1, 0, 10))
    r_d = refer(t[5], jst(2026, 5, 1))
    r_e = refer(t[6], jst(2026, 6, 1), "child_abuse")
    refer(t[7], jst(2026, 8, 1))
    refer(t[8], jst(2026, 9, 30, 23, 59))
    r_water = refer(water_staff[0], jst(2026, 1, 10))
    refer(water_staff[1], jst(2026, 7, 1), "anonymous")

    case_a = accept(r_a, worker, jst(2025, 5, 11))
    cases.record_entry(case_a, "contact", "電話で話した。", date(2025, 5, 20), actor_id=worker.id)
    case_b = accept(r_b, worker, jst(2025, 8, 2))
    service.triage(r_anon, "info_only", "助言のみ。", actor_id=worker.id)
    service.triage(
        r_water,
        "redirect",
        "地域包括支援センターが主担当。",
        redirected_to="地域包括支援センター",
        actor_id=worker.id,
    )
    case_c = accept(r_c, worker, jst(2026, 4, 1))
    cases.record_entry(case_c, "visit", "訪問した。", date(2026, 4, 10), actor_id=worker.id)
    service.triage(r_link, "link", "同じ世帯。", case_id=case_a.id, actor_id=worker.id)
    case_d = accept(r_d, colleague, jst(2026, 5, 2))
    case_e = accept(r_e, worker, jst(2026, 6, 2))
    cases.record_entry(case_a, "review", "見直し。", date(2026, 7, 1), actor_id=worker.id)
    agency = Agency(name="あわら市社会福祉協議会", kind="shakyo")
    _db.session.add(agency)
    _db.session.flush()
    cases.add_agency(case_a, "あわら市社会福祉協議会", "見守り", actor_id=worker.id).added_at = jst(
        2026, 5, 1
    )
    _db.session.add(
        CaseEntry(
            case_id=case_a.id,
            kind="note",
            occurred_on=date(2026, 8, 1),
            agency_id=agency.id,
            body="社協の見守り訪問で、変わりないことを確認。",
        )
    )
    case_a.plan_goal = "生活の安定"
    case_c.plan_goal = "家計の立て直し"
    _db.session.commit()

    close(case_b, "goal_met", jst(2026, 2, 10), worker, colleague)
    close(case_d, "moved", jst(2026, 9, 30), colleague, worker)

    _db.session.add_all(
        [
            CaseReview(
                case_id=case_c.id,
                reviewed_on=date(2026, 10, 1),
                readiness="ready",
                criterion="goal_met",
            ),
            CaseReview(
                case_id=case_d.id,
                reviewed_on=date(2026, 9, 20),
                readiness="ready",
                criterion="moved",
                outcome="closed",
            ),
            CaseReview(case_id=case_a.id, reviewed_on=date(2026, 7, 1), readiness="continue"),
            FollowUpCheck(case_id=case_b.id, due_on=date(2026, 5, 10), done_at=jst(2026, 5, 12)),
            FollowUpCheck(case_id=case_d.id, due_on=date(2027, 1, 10)),
        ]
    )
    for held_on, decided in (
        (date(2025, 9, 18), [case_a]),
        (date(2026, 6, 18), [case_c, case_e]),
        (date(2026, 12, 20), []),
    ):
        meeting = Meeting(held_on=held_on)
        _db.session.add(meeting)
        _db.session.flush()
        for position, case in enumerate(decided or [case_a], start=1):
            item = MeetingItem(
                meeting=meeting, case_id=case.id, position=position, reasons=["review_due"]
            )
            _db.session.add(item)
            _db.session.flush()
            if decided:
                basis = "support_meeting" if meetings.needs_legal_basis(case) else None
                meetings.record_decision(
                    item, "役割分担を確認した。", basis, None, actor_id=worker.id
                )
    _db.session.commit()
    return {
        "worker": worker,
        "colleague": colleague,
        "hr": hr,
        "learner": learner,
        "tax": tax,
        "water": water,
        "cases": {"A": case_a, "B": case_b, "C": case_c, "D": case_d, "E": case_e},
    }

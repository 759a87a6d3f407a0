"""Fictional demo referrals and cases, so that the inbox, the stale list, the meeting agenda
and the statistics are not empty in the demo portal. Every person here is invented."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Department, Employee
from app.core import clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals import cases, service
from app.referrals.choices import CONSENTED
from app.referrals.models import CaseEntry, Consent, Referral, SupportCase


class Outcome(StrEnum):
    """How far a demo referral has gone."""

    NEW = "new"  # still in the inbox
    REDIRECTED = "redirected"  # passed to another office
    ACCEPTED = "accepted"  # a case, not yet reached
    CONTACTED = "contacted"  # reached, flagged for the meeting
    PAUSED = "paused"
    CLOSED = "closed"
    STALE = "stale"  # past its review date and quiet


# Outcomes where the office reached the resident.
REACHED = (Outcome.CONTACTED, Outcome.PAUSED, Outcome.CLOSED, Outcome.STALE)

# (department code, days ago, resident, kana, area, concerns, observed, urgency, consent, outcome)
DEMO_REFERRALS = [
    (
        "1040",
        160,
        "架空 トシ子",
        "カクウ トシコ",
        "金津地区",
        ["arrears", "care", "hikikomori"],
        "固定資産税の分納相談。80代の母と50代の息子の二人暮らしで、息子は長く外に出ていないと話された。",
        "routine",
        Consent.VERBAL,
        Outcome.CLOSED,
    ),
    (
        "4040",
        120,
        "見本 健二",
        "ミホン ケンジ",
        "芦原地区",
        ["arrears", "isolation", "hoarding"],
        "水道料金が3期分未納。窓口で、検針時に郵便物がたまり庭にごみ袋が積まれていたことを伝えると、相談室からの連絡に同意された。",
        "soon",
        Consent.VERBAL,
        Outcome.STALE,
    ),
    (
        "2010",
        95,
        "試例 あおい",
        "シレイ アオイ",
        "本荘地区",
        ["young_carer", "child_rearing"],
        "転入手続きで中学生の子が母親の通訳をしていた。平日の昼間に来庁。",
        "routine",
        Consent.WRITTEN,
        Outcome.CONTACTED,
    ),
    (
        "2020",
        70,
        "仮名 正男",
        "カメイ マサオ",
        "北潟地区",
        ["income", "work", "debt"],
        "国保税の減免相談。失業し、複数の借入れがあると話された。",
        "routine",
        Consent.VERBAL,
        Outcome.PAUSED,
    ),
    (
        "1040",
        40,
        "例示 和子",
        "レイジ カズコ",
        "金津地区",
        ["arrears", "debt"],
        "固定資産税の納付相談。消費者金融からの督促状を持参され、借金のことも相談したいと話された。",
        "routine",
        Consent.VERBAL,
        Outcome.ACCEPTED,
    ),
    (
        "4040",
        20,
        "見本 里美",
        "ミホン サトミ",
        "芦原地区",
        ["isolation"],
        "料金の支払いに来庁。近所付き合いがなく、話し相手がいないと話された。",
        "routine",
        Consent.VERBAL,
        Outcome.REDIRECTED,
    ),
    (
        "1040",
        3,
        "架空 次郎",
        "カクウ ジロウ",
        "金津地区",
        ["arrears", "care"],
        "納税相談で、母親の介護のため仕事を辞めたと話された。",
        "soon",
        Consent.VERBAL,
        Outcome.NEW,
    ),
    (
        "3030",
        1,
        "模擬 ゆい",
        "モギ ユイ",
        "伊井地区",
        ["child_rearing", "no_food"],
        "児童手当の手続きで、子どもが数日まともに食べていないと話された。",
        "soon",
        Consent.UNCONFIRMED,
        Outcome.NEW,
    ),
]


def _employee_in(code: str, fallback: Employee) -> Employee:
    if code == "1040":
        learner = db.session.scalar(select(Employee).where(Employee.staff_number == "100001"))
        if learner:
            return learner
    return (
        db.session.scalar(
            select(Employee)
            .join(Department, Department.id == Employee.department_id)
            .where(Department.code == code, Employee.active.is_(True))
            .order_by(Employee.id)
            .limit(1)
        )
        or fallback
    )


def load() -> str | None:
    if db.session.scalar(select(func.count(Referral.id))):
        return None
    worker = db.session.scalar(select(Employee).where(Employee.staff_number == "100004"))
    colleague = db.session.scalar(select(Employee).where(Employee.staff_number == "100005"))
    if worker is None or colleague is None:
        return None
    made = 0
    with current_app.test_request_context():
        for row in DEMO_REFERRALS:
            outcome = row[-1]
            referral, created = _submit(row, worker)
            made += 1
            if outcome == Outcome.NEW:
                continue
            if outcome == Outcome.REDIRECTED:
                _redirect(referral, created, worker)
                continue
            case = _open_case(referral, created, worker)
            if outcome in REACHED:
                _first_contact(case, referral, created, outcome, worker)
            _plan(case, created, worker)
            _finish(case, created, outcome, worker, colleague)
            for entry in db.session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id)):
                if entry.occurred_on > service.today():
                    entry.occurred_on = service.today()
            db.session.commit()
    return _("Demo referrals: %(n)d (with cases, one past its review date).", n=made)


def _submit(row: tuple, worker: Employee) -> tuple[Referral, datetime]:
    """Send one demo referral from a member of its department, dated ``days ago``."""
    code, days_ago, name, kana, area, concerns, observed, urgency, consent, _outcome = row
    data = service.ReferralInput(
        resident_name=name,
        resident_kana=kana,
        desk_number="",
        birth_date="",
        area=area,
        concerns=concerns,
        observed=observed,
        urgency=urgency,
        consent=consent,
        told_about_office=consent != Consent.REFUSED,
        preferred_contact="phone",
        # The one demo referral without consent is a suspected neglect of a child: a duty
        # to notify that overrides consent (docs/consent-model.md, [child-abuse]).
        legal_basis="consent" if consent in CONSENTED else "child_abuse",
    )
    referral, _created = service.submit_referral(
        _employee_in(code, worker), data, secrets.token_urlsafe(24)
    )
    created = utcnow() - timedelta(days=days_ago)
    referral.created_at = created
    db.session.commit()
    return referral, created


def _redirect(referral: Referral, created: datetime, worker: Employee) -> None:
    service.triage(
        referral,
        "redirect",
        "高齢者の見守りは地域包括支援センターが主担当のため。",
        actor_id=worker.id,
        redirected_to="地域包括支援センター",
    )
    referral.triaged_at = created + timedelta(days=1)
    db.session.commit()


def _open_case(referral: Referral, created: datetime, worker: Employee) -> SupportCase:
    case = service.triage(
        referral,
        "accept",
        "複数の課題があり、多機関での調整が必要なため。",
        lead_worker_id=worker.id,
        actor_id=worker.id,
    )
    referral.triaged_at = created + timedelta(days=1)
    case.opened_at = created + timedelta(days=1)
    for entry in case.entries:
        entry.occurred_on = clock.local_date(created + timedelta(days=1))
    db.session.commit()
    return case


def _first_contact(
    case: SupportCase, referral: Referral, created: datetime, outcome: Outcome, worker: Employee
) -> None:
    reached = created + timedelta(days=3 if outcome != Outcome.STALE else 6)
    cases.record_entry(
        case,
        "contact",
        "電話で本人と話し、来所の約束をした。",
        clock.local_date(reached),
        actor_id=worker.id,
    )
    referral.first_contact_at = reached
    case.first_contact_at = referral.first_contact_at


def _plan(case: SupportCase, created: datetime, worker: Employee) -> None:
    """A partner agency and a support plan, a week after the referral."""
    agency = cases.add_agency(
        case, "あわら市社会福祉協議会", "家計改善支援・見守り", actor_id=worker.id
    )
    agency.added_at = created + timedelta(days=7)
    for entry in case.entries:
        if entry.kind == "role_change":
            entry.occurred_on = clock.local_date(created + timedelta(days=7))
    case.plan_goal = "生活の安定と、世帯が地域とのつながりを取り戻すこと。"
    case.next_review_on = clock.local_date(created + timedelta(days=91))
    case.last_activity_at = created + timedelta(days=7)
    db.session.commit()


def _finish(
    case: SupportCase,
    created: datetime,
    outcome: Outcome,
    worker: Employee,
    colleague: Employee,
) -> None:
    """Where the case stands today."""
    if outcome == Outcome.STALE:  # past its review date and quiet: on the stale list and agenda
        case.next_review_on = service.today() - timedelta(days=12)
        case.last_activity_at = utcnow() - timedelta(days=75)
        db.session.commit()
    elif outcome == Outcome.PAUSED:
        cases.pause(case, "本人が入院中のため、退院まで一時休止。", actor_id=worker.id)
    elif outcome == Outcome.CLOSED:
        cases.request_closure(
            case,
            "handed_over",
            "長寿福祉課と地域包括支援センターが主担当となり、見守りを継続。",
            "地域包括支援センター",
            actor_id=worker.id,
        )
        cases.approve_closure(case, actor_id=colleague.id)
        case.closed_at = created + timedelta(days=120)
        db.session.commit()
    elif outcome == Outcome.CONTACTED:
        case.flagged_for_meeting = True
        db.session.commit()

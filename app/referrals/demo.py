"""Fictional demo referrals and cases, so that the inbox, the stale list, the meeting agenda
and the statistics are not empty in the demo portal. Every person here is invented."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Department, Employee
from app.core import clock
from app.core.models import utcnow
from app.extensions import db
from app.referrals import cases, service
from app.referrals.choices import CONSENTED
from app.referrals.models import CaseEntry, Referral

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
        "verbal",
        "closed",
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
        "verbal",
        "stale",
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
        "written",
        "contacted",
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
        "verbal",
        "paused",
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
        "verbal",
        "accepted",
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
        "verbal",
        "redirected",
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
        "verbal",
        "new",
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
        "unconfirmed",
        "new",
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
        for (
            code,
            days_ago,
            name,
            kana,
            area,
            concerns,
            observed,
            urgency,
            consent,
            outcome,
        ) in DEMO_REFERRALS:
            referrer = _employee_in(code, worker)
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
                told_about_office=consent != "refused",
                preferred_contact="phone",
                # The one demo referral without consent is a suspected neglect of a child: a duty
                # to notify that overrides consent (docs/consent-model.md, [child-abuse]).
                legal_basis="consent" if consent in CONSENTED else "child_abuse",
            )
            referral, _created = service.submit_referral(referrer, data, secrets.token_urlsafe(24))
            made += 1
            created = utcnow() - timedelta(days=days_ago)
            referral.created_at = created
            db.session.commit()
            if outcome == "new":
                continue
            if outcome == "redirected":
                service.triage(
                    referral,
                    "redirect",
                    "高齢者の見守りは地域包括支援センターが主担当のため。",
                    actor_id=worker.id,
                    redirected_to="地域包括支援センター",
                )
                referral.triaged_at = created + timedelta(days=1)
                db.session.commit()
                continue
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
            if outcome in ("contacted", "paused", "closed", "stale"):
                contact_day = clock.local_date(
                    created + timedelta(days=3 if outcome != "stale" else 6)
                )
                cases.record_entry(
                    case,
                    "contact",
                    "電話で本人と話し、来所の約束をした。",
                    contact_day,
                    actor_id=worker.id,
                )
                referral.first_contact_at = created + timedelta(days=3 if outcome != "stale" else 6)
                case.first_contact_at = referral.first_contact_at
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
            if (
                outcome == "stale"
            ):  # past its review date and quiet: on the stale list and the agenda
                case.next_review_on = service.today() - timedelta(days=12)
                case.last_activity_at = utcnow() - timedelta(days=75)
                db.session.commit()
            elif outcome == "paused":
                cases.pause(case, "本人が入院中のため、退院まで一時休止。", actor_id=worker.id)
            elif outcome == "closed":
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
            elif outcome == "contacted":
                case.flagged_for_meeting = True
                db.session.commit()
            for entry in db.session.scalars(select(CaseEntry).where(CaseEntry.case_id == case.id)):
                if entry.occurred_on > service.today():
                    entry.occurred_on = service.today()
            db.session.commit()
    return _("Demo referrals: %(n)d (with cases, one past its review date).", n=made)

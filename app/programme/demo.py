"""Demo history for the programme's figures: two fiscal years of referrals, cases, meetings
and closures, and a training roll-out by department, so that both pages show something.

Every resident here is invented. Referrals are sent, triaged, contacted, reviewed at the
支援調整会議 and closed through the referral services, then dated back to when they would have
happened. The story: the tax and the water desks trained first (the previous year's third
quarter), the resident-facing desks of 市民生活部 this year; the other departments follow the
courses demo's recent completions.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import select, text

from app.accounts.models import Department, DepartmentMembership, Employee
from app.core.models import utcnow
from app.core.wareki import (
    FiscalQuarter,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_start,
    quarters_between,
)
from app.extensions import db
from app.programme.service import today, utc_start

KEY_PREFIX = "demo-programme-"
SEED = 20250401

# department code → (quarter offset from the previous fiscal year's Q1 when 90% completed, or None,
#                    referrals per quarter before, after)
DESKS = {
    "1040": (2, 1.5, 6.5),  # 税務課: trained in the previous year's Q3
    "4040": (2, 1.0, 5.5),  # 上下水道課
    "2010": (4, 1.0, 5.0),  # 市民課: trained in this year's Q1
    "2020": (4, 1.5, 5.5),  # 保険年金課
    "2030": (None, 0.6, 0.6),  # 生活環境課: not yet trained
    "3030": (None, 2.0, 2.0),  # 子育て支援課
    "5010": (None, 0.5, 0.5),  # 教育総務課
}

RESIDENTS = [
    ("架空 一郎", "カクウ イチロウ"),
    ("見本 花子", "ミホン ハナコ"),
    ("試例 修", "シレイ オサム"),
    ("仮名 節子", "カメイ セツコ"),
    ("例示 勝", "レイジ マサル"),
    ("模擬 幸子", "モギ サチコ"),
    ("架空 健", "カクウ ケン"),
    ("見本 和夫", "ミホン カズオ"),
    ("試例 春美", "シレイ ハルミ"),
    ("仮名 清", "カメイ キヨシ"),
    ("例示 洋子", "レイジ ヨウコ"),
    ("模擬 進", "モギ ススム"),
]
AREAS = [
    "金津地区",
    "芦原地区",
    "本荘地区",
    "新郷地区",
    "伊井地区",
    "剱岳地区",
    "吉崎地区",
    "細呂木地区",
    "北潟地区",
    "波松地区",
]
# (concern codes, what the desk observed)
OBSERVATIONS = {
    "1040": [
        (["arrears", "care"], "納税相談で、親の介護のため仕事を減らしたと話された。"),
        (["arrears", "debt"], "分納の約束が続けて守れず、複数の借入れがあると話された。"),
        (
            ["arrears", "hikikomori"],
            "高齢の母親が来庁し、同居の息子が長く仕事をしていないと話された。",
        ),
    ],
    "4040": [
        (["arrears", "isolation"], "水道料金が続けて未納。検針時に郵便物がたまっていた。"),
        (
            ["arrears", "hoarding"],
            "給水停止の予告後に来庁。自宅の周りにごみが積まれていると検針員から報告があった。",
        ),
    ],
    "2010": [
        (["young_carer", "child_rearing"], "転入手続きで、中学生の子が親の通訳をしていた。"),
        (
            ["care", "isolation"],
            "住所変更の手続きで、一人暮らしの高齢の方が書類の内容をよく覚えていなかった。",
        ),
    ],
    "2020": [
        (["income", "work"], "国保税の減免相談で、失業して収入がないと話された。"),
        (
            ["illness_disability", "income"],
            "保険証の手続きで、病気で働けず家計が苦しいと話された。",
        ),
    ],
    "2030": [
        (
            ["hoarding", "isolation"],
            "ごみの相談で、近所から家の周りのごみについて苦情があると聞いた。",
        )
    ],
    "3030": [(["child_rearing", "income"], "児童手当の手続きで、生活費が足りないと話された。")],
    "5010": [
        (
            ["child_rearing", "young_carer"],
            "就学援助の申請で、子どもが弟妹の世話で学校を休みがちと聞いた。",
        )
    ],
}
CLOSURES = [
    ("goal_met", "家計が安定し、本人の希望で支援を終える。", "なし"),
    ("handed_over", "地域包括支援センターが主担当となり、見守りを続ける。", "地域包括支援センター"),
    (
        "other_programme",
        "障がい福祉サービスの利用が始まり、相談支援事業所に引き継いだ。",
        "相談支援事業所",
    ),
    ("moved", "県外の親族のもとへ転居した。", "転居先の自立相談支援機関"),
    ("refused", "本人から支援は不要との申し出。相談先は伝えてある。", "なし"),
]


def load() -> str | None:
    from app.referrals.models import Referral

    if db.session.scalar(
        select(Referral.id).where(Referral.idempotency_key.like(KEY_PREFIX + "%")).limit(1)
    ):
        return None
    worker = db.session.scalar(select(Employee).where(Employee.staff_number == "100004"))
    colleague = db.session.scalar(select(Employee).where(Employee.staff_number == "100005"))
    if worker is None or colleague is None:
        return None
    on = today()
    previous = fiscal_year(on) - 1
    rng = random.Random(SEED)
    departments = {d.code: d for d in db.session.scalars(select(Department))}
    fast = _fast_sqlite_commits()
    _extend_memberships(fiscal_year_start(previous))
    quarters = quarters_between(FiscalQuarter(previous, 1), fiscal_quarter(on))
    for code, (offset, _before, _after) in DESKS.items():
        if offset is not None and code in departments and offset < len(quarters):
            _train(departments[code], quarters[offset], rng)
    db.session.commit()
    try:
        with current_app.test_request_context():
            made = _history(departments, quarters, worker, colleague, rng, on)
    finally:
        if fast:
            db.session.commit()
            db.session.execute(text("PRAGMA synchronous = FULL"))
    return _(
        "Programme demo: %(n)d referrals over two fiscal years, with cases, meetings and closures.",
        n=made,
    )


def _fast_sqlite_commits() -> bool:
    """The services commit after every step (about a thousand commits here): on SQLite the demo
    load waits for the disk each time unless the connection skips the sync. Demo data only."""
    if db.session.get_bind().dialect.name != "sqlite":
        return False
    db.session.commit()
    db.session.execute(text("PRAGMA synchronous = OFF"))
    return True


def _extend_memberships(start: date) -> None:
    """The demo staff were already in their departments a year earlier."""
    for membership in db.session.scalars(
        select(DepartmentMembership).where(
            DepartmentMembership.started_on > start, DepartmentMembership.ended_on.is_(None)
        )
    ):
        membership.started_on = start


def _train(department: Department, quarter: FiscalQuarter, rng: random.Random) -> None:
    """Nineteen in twenty of a department's generated staff completed the all-staff course in ``quarter``."""
    from app.accounts.demo import DEMO_ACCOUNTS
    from app.courses import service as courses
    from app.courses.models import Assignment, AssignmentStatus, CourseCompletion

    slugs = current_app.config["PROGRAMME_TRAINING_COURSES"]
    course = courses.get_course(slugs[0]) if slugs else None
    if course is None:
        return
    demo_accounts = {number for number, *_rest in DEMO_ACCOUNTS}
    staff = db.session.scalars(
        select(Employee)
        .where(Employee.department_id == department.id, Employee.active.is_(True))
        .order_by(Employee.staff_number)
    )
    for employee in staff:
        if employee.staff_number in demo_accounts or rng.random() > 0.95:
            continue
        day = quarter.start + timedelta(
            days=rng.randint(0, (quarter.last_day - quarter.start).days)
        )
        at = datetime.combine(day, time(1)) + timedelta(
            minutes=rng.randint(0, 420)
        )  # 10:00–17:00 in the city
        row = db.session.scalar(
            select(Assignment).where(
                Assignment.employee_id == employee.id, Assignment.course_id == course.id
            )
        )
        if row is not None:
            row.assigned_on = min(row.assigned_on, day - timedelta(days=14))
            row.due_on = row.assigned_on + timedelta(days=course.due_within_days or 90)
            row.status, row.progress, row.started_at, row.completed_at = (
                AssignmentStatus.COMPLETED,
                1.0,
                at - timedelta(days=1),
                at,
            )
            row.completed_version = course.version
        done = db.session.scalar(
            select(CourseCompletion).where(
                CourseCompletion.employee_id == employee.id, CourseCompletion.course_id == course.id
            )
        )
        if done is None:
            db.session.add(
                CourseCompletion(
                    employee_id=employee.id,
                    course_id=course.id,
                    course_version=course.version,
                    completed_at=at,
                    department_id=department.id,
                )
            )
        else:
            done.completed_at = at


def _poisson(rng: random.Random, mean: float) -> int:
    count, limit, product = 0, math.exp(-mean), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _moment(day: date, rng: random.Random) -> datetime:
    """A stored (UTC) timestamp during office hours on ``day``."""
    return utc_start(day) + timedelta(hours=9, minutes=rng.randint(0, 450))


def _history(departments, quarters, worker, colleague, rng, on: date) -> int:
    """Replay the two years day by day: referrals, the monthly meeting, closures when due."""
    import heapq

    agenda: list[tuple[date, int, str, int]] = []  # (day, order, kind, case id or referral number)
    events: list[tuple[date, str, Department]] = []
    for code, (offset, before, after) in DESKS.items():
        department = departments.get(code)
        if department is None:
            continue
        for index, quarter in enumerate(quarters):
            mean = after if offset is not None and index > offset else before
            if offset is not None and index == offset:
                mean = (before + after) / 2
            last = min(quarter.last_day, on)
            span = (last - quarter.start).days
            mean *= (span + 1) / ((quarter.last_day - quarter.start).days + 1)
            for _n in range(_poisson(rng, mean)):
                events.append(
                    (quarter.start + timedelta(days=rng.randint(0, span)), code, department)
                )
    events.sort(key=lambda e: (e[0], e[1]))
    for number, (day, _code, _department) in enumerate(events, start=1):
        heapq.heappush(agenda, (day, 1, "referral", number))
    for held_on in _meeting_days(quarters[0].start, on):
        heapq.heappush(agenda, (held_on, 0, "meeting", 0))
    made = 0
    while agenda:
        day, _order, kind, ref = heapq.heappop(agenda)
        if kind == "meeting":
            _meeting(day, worker, colleague, rng)
        elif kind == "close":
            _close(ref, day, worker, colleague, rng)
        else:
            _day, code, department = events[ref - 1]
            case_id = _referral(ref, day, code, department, worker, colleague, rng, on)
            if case_id is not None:
                made += 1
                closed_on = day + timedelta(days=rng.randint(90, 300))
                if case_id and rng.random() < 0.5 and closed_on < on:
                    heapq.heappush(agenda, (closed_on, 2, "close", case_id))
    _settle(on)
    _propose_closures(worker)
    return made


def _meeting_days(start: date, on: date) -> list[date]:
    """The third Thursday of each month, up to yesterday."""
    days = []
    year, month = start.year, start.month
    while True:
        first = date(year, month, 1)
        thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 14)
        if thursday >= on:
            break
        days.append(thursday)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _referral(number, day, code, department, worker, colleague, rng, on) -> int | None:
    from app.referrals import cases, service
    from app.referrals.models import Consent

    referrer = db.session.scalar(
        select(Employee)
        .where(Employee.department_id == department.id, Employee.active.is_(True))
        .order_by(Employee.staff_number)
        .offset(rng.randint(0, 5))
        .limit(1)
    )
    if referrer is None:
        return None
    name, kana = rng.choice(RESIDENTS)
    concerns, observed = rng.choice(OBSERVATIONS[code])
    draw = rng.random()
    if draw < 0.1:  # a consultation that does not identify the resident: advice only
        data = service.ReferralInput(
            resident_name="",
            resident_kana="",
            desk_number="",
            birth_date="",
            area=rng.choice(AREAS),
            concerns=concerns,
            observed=observed,
            urgency="routine",
            consent=Consent.UNCONFIRMED,
            told_about_office=True,
            legal_basis="anonymous",
            preferred_contact="no_contact",
        )
    else:
        consent = (
            Consent.UNCONFIRMED
            if draw < 0.14
            else rng.choice([Consent.VERBAL, Consent.VERBAL, Consent.WRITTEN])
        )
        basis = "child_abuse" if consent == Consent.UNCONFIRMED else "consent"
        if basis == "child_abuse":
            concerns, observed = (
                ["child_rearing", "no_food"],
                "手続きの際、子どもが何日もまともに食べていないと話した。",
            )
        data = service.ReferralInput(
            resident_name=name,
            resident_kana=kana,
            desk_number="",
            birth_date="",
            area=rng.choice(AREAS),
            concerns=concerns,
            observed=observed,
            urgency="soon" if basis != "consent" else "routine",
            consent=consent,
            told_about_office=True,
            legal_basis=basis,
            preferred_contact="phone",
        )
    referral, _created = service.submit_referral(referrer, data, f"{KEY_PREFIX}{number:05d}")
    created = _moment(day, rng)
    referral.created_at = created
    db.session.commit()
    if (on - day).days < 5 and rng.random() < 0.7:
        return 0  # recent: still in the inbox
    login_user(worker)
    triaged_at = created + timedelta(days=1)
    if data.legal_basis == "anonymous":
        service.triage(
            referral,
            "info_only",
            "助言のみ。本人の同意が得られたら改めてつないでもらう。",
            actor_id=worker.id,
        )
        referral.triaged_at = triaged_at
        db.session.commit()
        return 0
    if rng.random() < 0.15:
        service.triage(
            referral,
            "redirect",
            "高齢者の見守りは地域包括支援センターが主担当のため。",
            redirected_to="地域包括支援センター",
            actor_id=worker.id,
        )
        referral.triaged_at = triaged_at
        db.session.commit()
        return 0
    case = service.triage(
        referral,
        "accept",
        "複数の課題があり、多機関での調整が必要なため。",
        lead_worker_id=rng.choice([worker, colleague]).id,
        actor_id=worker.id,
    )
    referral.triaged_at = triaged_at
    case.opened_at = triaged_at
    for entry in case.entries:
        entry.occurred_on = min(day + timedelta(days=1), on)
    db.session.commit()
    if rng.random() < 0.85:
        contact_day = min(day + timedelta(days=rng.randint(2, 12)), on)
        cases.record_entry(
            case,
            rng.choice(["contact", "contact", "visit"]),
            "本人と話し、困りごとを一緒に整理した。",
            contact_day,
            actor_id=case.lead_worker_id,
        )
    goal = "家計と暮らしを立て直し、世帯が地域とのつながりを取り戻すこと。"
    cases.update_plan(
        case,
        lead_worker_id=case.lead_worker_id,
        risk=case.risk,
        plan_goal=goal,
        next_review_on=cases.default_review_date(case.risk),
        flagged_for_meeting=False,
        actor_id=case.lead_worker_id,
    )
    case.next_review_on = day + cases.review_interval(case.risk)
    case.last_activity_at = _moment(min(day + timedelta(days=12), on), rng)
    db.session.commit()
    return case.id


def _close(case_id: int, closed_on: date, worker, colleague, rng) -> None:
    """The lead worker proposes the closure, a colleague approves it (two people)."""
    from app.referrals import cases
    from app.referrals.models import CaseStatus, SupportCase

    case = db.session.get(SupportCase, case_id)
    if case is None or case.status != CaseStatus.OPEN or case.closure_requested_at is not None:
        return
    reason, summary, follow_up = rng.choice(CLOSURES)
    cases.request_closure(case, reason, summary, follow_up, actor_id=worker.id)
    cases.approve_closure(case, actor_id=colleague.id)
    case.closure_requested_at = _moment(closed_on - timedelta(days=7), rng)
    case.closed_at = _moment(closed_on, rng)
    case.last_activity_at = case.closed_at
    for entry in case.entries:
        if entry.code == CaseStatus.CLOSED:
            entry.occurred_on = closed_on
    db.session.commit()


def _meeting(held_on: date, worker, colleague, rng) -> None:
    """The monthly 支援調整会議: a few of the cases due by then are discussed and decided; the
    lead workers review the others themselves beforehand."""
    from app.referrals import cases, meetings
    from app.referrals.models import CaseStatus, SupportCase

    login_user(worker)
    quiet_before = utc_start(held_on - timedelta(days=int(current_app.config["CASE_STALE_DAYS"])))
    due = db.session.scalars(
        select(SupportCase)
        .where(
            SupportCase.status != CaseStatus.CLOSED,
            (SupportCase.next_review_on <= held_on)
            | (SupportCase.last_activity_at <= quiet_before),
        )
        .order_by(SupportCase.next_review_on, SupportCase.id)
    ).all()
    if not due:
        return
    discussed = {c.id for c in due[: rng.randint(3, 6)]}
    for case in due:
        if case.id in discussed:
            continue
        reviewed_on = max(held_on - timedelta(days=rng.randint(1, 10)), cases.case_began_on(case))
        cases.record_entry(
            case,
            "review",
            "面談の結果を確認し、支援プランを継続。",
            reviewed_on,
            actor_id=case.lead_worker_id,
        )
        case.next_review_on = reviewed_on + cases.review_interval(case.risk)
        case.last_activity_at = _moment(reviewed_on, rng)
        case.flagged_for_meeting = False
    db.session.commit()
    meeting = meetings.prepare(held_on, actor_id=worker.id)
    meeting.created_at = utc_start(held_on - timedelta(days=7))
    for item in list(meeting.items):
        if item.decided_at is not None or item.case.status == CaseStatus.CLOSED:
            continue
        basis = "support_meeting" if meetings.needs_legal_basis(item.case) else None
        meetings.record_decision(
            item,
            "役割分担を確認し、次回まで家計改善支援と見守りを続ける。",
            basis,
            None,
            actor_id=worker.id,
        )
        item.decided_at = utc_start(held_on) + timedelta(hours=6)
        item.case.last_activity_at = item.decided_at
    db.session.commit()


def _propose_closures(worker) -> None:
    """Two long-running cases whose goal was met are proposed for closure at today's review:
    they wait for the next 支援調整会議."""
    from app.casework import service as casework
    from app.referrals.models import CaseStatus, SupportCase

    candidates = db.session.scalars(
        select(SupportCase)
        .where(SupportCase.status == CaseStatus.OPEN, SupportCase.lead_worker_id == worker.id)
        .order_by(SupportCase.opened_at, SupportCase.id)
        .limit(2)
    ).all()
    for case in candidates:
        casework.record_review(
            case,
            casework.ReviewInput(
                summary="家計が安定し、就労も続いている。本人も支援の終了に同意。",
                ready=True,
                criterion="goal_met",
                closure_summary="就労と家計が安定し、支援目標を達成した。",
                follow_up="地区の民生委員",
            ),
            actor=worker,
        )
    db.session.commit()


def _settle(on: date) -> None:
    """Open cases get a review date ahead, except a few left overdue for the stale list."""
    from app.referrals.models import CaseEntry, CaseStatus, SupportCase

    open_cases = db.session.scalars(
        select(SupportCase).where(SupportCase.status != CaseStatus.CLOSED).order_by(SupportCase.id)
    ).all()
    for index, case in enumerate(open_cases):
        if case.next_review_on < on and index % 6:
            case.next_review_on = on + timedelta(days=7 + index % 60)
        if case.last_activity_at > utcnow():
            case.last_activity_at = utcnow()
    for entry in db.session.scalars(select(CaseEntry).where(CaseEntry.occurred_on > on)):
        entry.occurred_on = on
    db.session.commit()

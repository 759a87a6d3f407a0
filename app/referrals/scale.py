"""A 相談室 of a given size, built through the real services (encryption, reference numbers,
audit rows): used by the statement-count tests and ``benchmarks/bench_referrals.py``.

Not loaded by the app; nothing here runs in production.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from app.extensions import db
from app.referrals import cases, meetings, service
from app.referrals.models import Consent

KANA = [
    "アワタ",
    "カナヅ",
    "ホンジョウ",
    "シンゴウ",
    "ヨシザキ",
    "キタガタ",
    "ナミマツ",
    "ホソロギ",
    "イイ",
    "ツルギ",
]
GIVEN = [
    "ハナコ",
    "タロウ",
    "ユイ",
    "ダイキ",
    "ケイコ",
    "サトシ",
    "ワタル",
    "マリコ",
    "ジロウ",
    "アキ",
]


def _input(i: int, areas: list[str]) -> service.ReferralInput:
    family, given = KANA[(i // 10) % len(KANA)], GIVEN[i % len(GIVEN)]
    return service.ReferralInput(
        resident_name=f"試験 {i}",
        resident_kana=f"{family} {given}{i}",
        desk_number=f"{1000000 + i}",
        birth_date="",
        area=areas[i % len(areas)],
        concerns=["arrears", "care"] if i % 2 else ["debt"],
        observed="滞納分を小銭で支払われた。母親を一人にできないと話していた。",
        urgency=("routine", "soon", "life_risk")[i % 7 % 3],
        consent=(Consent.VERBAL, Consent.WRITTEN, Consent.REFUSED)[i % 3],
        told_about_office=True,
        legal_basis="consent" if i % 3 != 2 else "child_abuse",
        preferred_contact="phone",
    )


def build(
    n: int, referrers: list, worker, colleague, *, commit_every: int = 100, start: int = 0
) -> dict[str, int]:
    """``n`` referrals: a fifth stay new, a tenth are redirected, the rest become cases — some
    with an agency, a contact, a member, flagged for the meeting, stale or closed — and a
    meeting agenda for today (prepared again: it gains the cases that became due). ``start``
    continues the numbering of an earlier call. Returns ids of one of each, for the pages
    that show one."""
    areas = service.areas()
    today = service.today()
    ids: dict[str, int] = {}
    for i in range(start, start + n):
        referral, _created = service.submit_referral(
            referrers[i % len(referrers)], _input(i, areas), secrets.token_urlsafe(24)
        )
        kind = i % 10
        if kind in (0, 1):
            ids.setdefault("new_referral", referral.id)
        elif kind == 2:
            service.triage(
                referral,
                "redirect",
                "地域包括支援センターへ",
                actor_id=worker.id,
                redirected_to="地域包括支援センター",
            )
        else:
            case = service.triage(
                referral, "accept", "複数の課題", actor_id=worker.id, lead_worker_id=worker.id
            )
            ids.setdefault("case", case.id)
            if kind in (3, 5, 7):
                cases.add_agency(case, "あわら市社会福祉協議会", "家計改善支援", actor_id=worker.id)
            if kind in (4, 5):
                cases.record_entry(
                    case, "contact", "電話で本人と話した。", today, actor_id=worker.id
                )
            if kind == 6:
                cases.add_member(case, "試験 次郎", "シケン ジロウ", "長男", actor_id=worker.id)
                case.flagged_for_meeting = True
            if kind == 8:  # quiet and past its review date: on the stale list and the agenda
                case.next_review_on = today - timedelta(days=10 + i % 20)
                case.last_activity_at = case.last_activity_at - timedelta(days=60 + i % 30)
            if kind == 9:
                cases.request_closure(case, "moved", "転出", "", actor_id=worker.id)
                cases.approve_closure(case, actor_id=colleague.id)
        if i % commit_every == commit_every - 1:
            db.session.commit()
    meeting = meetings.prepare(today, actor_id=worker.id)
    ids["meeting"] = meeting.id
    db.session.commit()
    return ids

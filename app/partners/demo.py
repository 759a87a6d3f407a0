"""Fictional partner agencies of the demo city, their staff's accounts, and what the 相談室
shares with them, so that a partner's page, the sharing page and the updates queue are not
empty in the demo portal. Every person and agency here is invented."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.demo import DEMO_PASSWORD
from app.accounts.models import Employee
from app.core import clock
from app.extensions import db
from app.partners import service
from app.partners.models import Agency
from app.referrals import cases, crypto
from app.referrals.models import CaseAgency, CaseEntry, SupportCase

# (name, kind, account number, staff name, kana)
DEMO_AGENCIES = [
    ("あわら市社会福祉協議会", "social_welfare_council", "P0001", "前川 美香", "マエカワ ミカ"),
    ("NPO法人 あわら寄り添いネット", "commissioned", "P0002", "東 直人", "ヒガシ ナオト"),
    (
        "あわら市地域包括支援センター",
        "community_support_center",
        "P0003",
        "村井 聡子",
        "ムライ サトコ",
    ),
]
DEMO_PARTNER_LABELS = {
    "P0001": "partner: あわら市社会福祉協議会 (社会福祉協議会)",
    "P0002": "partner: NPO法人 あわら寄り添いネット (委託法人, outreach)",
    "P0003": "partner: あわら市地域包括支援センター",
}


def _case(kana: str) -> SupportCase | None:
    return db.session.scalar(
        select(SupportCase).where(SupportCase.household_kana_hash == crypto.kana_hash(kana))
    )


def load() -> str | None:
    if db.session.scalar(select(Agency.id).limit(1)) is not None:
        return None
    worker = db.session.scalar(select(Employee).where(Employee.staff_number == "100004"))
    if worker is None:
        return None
    agencies = {}
    for name, kind, number, person, kana in DEMO_AGENCIES:
        agency = service.create_agency(name, kind, None)
        employee, _temporary = service.add_account(agency, number, person, kana, "", None)
        employee.set_password(DEMO_PASSWORD)
        agencies[kind] = (agency, employee)
    db.session.flush()
    council, council_staff = agencies["social_welfare_council"]
    outreach, outreach_staff = agencies["commissioned"]
    centre, _centre_staff = agencies["community_support_center"]
    # The referral demo gave the 社会福祉協議会 a role in its cases by name: register it.
    for role in db.session.scalars(select(CaseAgency).where(CaseAgency.name == council.name)):
        role.agency_id = council.id

    young_carer = _case(
        "シレイ アオイ"
    )  # written consent: the council sees the household and the contact
    if young_carer is not None:
        contact = [e.id for e in young_carer.entries if e.kind == "contact"]
        service.set_sharing(
            young_carer,
            council.id,
            fields=["area", "risk", "household", "members", "plan_goal"],
            entry_ids=contact,
            support_meeting_member=False,
            actor=worker,
        )
        service.add_entry(
            young_carer,
            council,
            "note",
            "学校の家庭訪問の予定を確認。母親の通院の送迎について相談を受けた。",
            clock.today() - timedelta(days=2),
            council_staff,
        )

    quiet = _case("ミホン ケンジ")  # verbal consent: the outreach agency visits
    if quiet is not None:
        cases.add_agency(quiet, "", "アウトリーチ（定期訪問）", outreach.id, actor_id=worker.id)
        service.set_sharing(
            quiet,
            outreach.id,
            fields=["area", "household", "plan_goal"],
            entry_ids=[e.id for e in quiet.entries if e.kind == "contact"],
            support_meeting_member=False,
            actor=worker,
        )
        service.add_entry(
            quiet,
            outreach,
            "attempt",
            "訪問したが不在。郵便受けに相談室のチラシと連絡票を入れた。",
            clock.today() - timedelta(days=3),
            outreach_staff,
        )
        service.add_entry(
            quiet,
            outreach,
            "visit",
            "玄関先で本人と10分ほど話せた。庭のごみ袋は少し減っていた。次回は来週。",
            clock.today() - timedelta(days=1),
            outreach_staff,
        )

    paused = _case("カメイ マサオ")  # the centre knows only the area and the risk
    if paused is not None:
        cases.add_agency(paused, "", "退院後の生活の相談", centre.id, actor_id=worker.id)
        service.set_sharing(
            paused,
            centre.id,
            fields=["area", "risk"],
            entry_ids=[],
            support_meeting_member=False,
            actor=worker,
        )
    for entry in db.session.scalars(select(CaseEntry).where(CaseEntry.agency_id.is_not(None))):
        entry.acknowledged_at = None
    db.session.commit()
    return _(
        "Demo partner agencies: %(n)d, with accounts P0001–P0003 and shared cases.",
        n=len(DEMO_AGENCIES),
    )

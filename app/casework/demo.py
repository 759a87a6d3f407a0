"""Demo casework: a closure proposal waiting for the 支援調整会議 and a handover, so that the
caseload pages and the agenda show them. Every person here is invented."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import Employee
from app.casework import service
from app.casework.models import CaseReview
from app.core import clock
from app.extensions import db
from app.referrals import crypto
from app.referrals.models import CaseStatus, SupportCase


def _case(kana: str) -> SupportCase | None:
    return db.session.scalar(
        select(SupportCase).where(SupportCase.household_kana_hash == crypto.kana_hash(kana))
    )


def load() -> str | None:
    if db.session.scalar(select(CaseReview.id).limit(1)) is not None:
        return None
    worker = db.session.scalar(select(Employee).where(Employee.staff_number == "100004"))
    colleague = db.session.scalar(select(Employee).where(Employee.staff_number == "100005"))
    ready = _case("レイジ カズコ")
    if worker is None or colleague is None or ready is None or ready.status == CaseStatus.CLOSED:
        return None
    service.record_review(
        ready,
        service.ReviewInput(
            summary="債務整理の相談を終え、返済計画ができた。家計改善支援は社会福祉協議会が続ける。",
            ready=True,
            criterion="handed_over",
            closure_summary="社会福祉協議会の家計改善支援に引き継ぎ、見守りを続ける。",
            follow_up="あわら市社会福祉協議会",
            follow_up_on=clock.today() + timedelta(days=90),
        ),
        actor=worker,
    )
    paused = _case("カメイ マサオ")
    if paused is not None and paused.lead_worker_id == worker.id:
        service.handover(
            paused,
            colleague.id,
            "入院中で休止。退院の見込みが立ったら、地域包括支援センターと退院後の生活を相談する。"
            "本人の携帯は日中つながりにくく、夕方なら出やすい。",
            actor=worker,
            may_reassign_any=False,
        )
    db.session.commit()
    return _("Demo casework: a closure proposal for the next meeting and a handover.")

"""Records are closed, never deleted. After the retention period the personal parts of a
closed case (and of referrals that never became a case) are anonymised: names, kana,
hashes, free text. Codes and dates stay, so the statistics still add up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.core import audit
from app.core.models import utcnow
from app.extensions import db
from app.referrals.models import CaseStatus, MeetingItem, Referral, ReferralStatus, SupportCase

REFERRAL_FIELDS = (
    "resident_name",
    "resident_kana",
    "resident_kana_hash",
    "family_kana_hash",
    "desk_number",
    "birth_date",
    "observed",
    "phone",
    "household",
    "agencies",
    "triage_reason",
)
CASE_FIELDS = (
    "household_name",
    "household_kana",
    "household_kana_hash",
    "family_kana_hash",
    "plan_goal",
    "pause_reason",
    "closure_summary",
    "closure_follow_up",
)


@dataclass
class RetentionResult:
    cutoff: datetime
    cases: int
    referrals: int


def cutoff(now: datetime | None = None) -> datetime:
    years = int(current_app.config["REFERRAL_RETENTION_YEARS"])
    return (now or utcnow()) - timedelta(days=round(365.25 * years))


def due(now: datetime | None = None) -> tuple[list[SupportCase], list[Referral]]:
    limit = cutoff(now)
    due_cases = list(
        db.session.scalars(
            select(SupportCase).where(
                SupportCase.status == CaseStatus.CLOSED,
                SupportCase.closed_at < limit,
                SupportCase.anonymised_at.is_(None),
            )
        )
    )
    case_ids = [c.id for c in due_cases]
    due_referrals = list(
        db.session.scalars(
            select(Referral).where(
                Referral.anonymised_at.is_(None),
                or_(
                    Referral.case_id.in_(case_ids),
                    (
                        Referral.case_id.is_(None)
                        & Referral.status.in_(ReferralStatus.closed_without_a_case())
                        & (Referral.triaged_at < limit)
                    ),
                ),
            )
        )
    )
    return due_cases, due_referrals


def _anonymise_referral(referral: Referral, now: datetime) -> None:
    for name in REFERRAL_FIELDS:
        setattr(referral, name, None)
    referral.anonymised_at = now
    audit.record("referral.anonymised", "referral", referral.id)


def _anonymise_case(case: SupportCase, now: datetime) -> None:
    for name in CASE_FIELDS:
        setattr(case, name, None)
    for member in case.members:
        member.name = member.kana = member.kana_hash = member.relationship_note = None
    for agency in case.agencies:
        agency.role = None
    for entry in case.entries:
        entry.body = None
    for item in db.session.scalars(select(MeetingItem).where(MeetingItem.case_id == case.id)):
        item.decision = None
    case.anonymised_at = now
    audit.record("case.anonymised", "support_case", case.id)


def run(dry_run: bool = True, now: datetime | None = None) -> RetentionResult:
    """Anonymise what is past the retention period; with ``dry_run`` only count it."""
    due_cases, due_referrals = due(now)
    result = RetentionResult(cutoff(now), len(due_cases), len(due_referrals))
    if dry_run:
        return result
    stamp = utcnow()
    for case in due_cases:
        _anonymise_case(case, stamp)
    for referral in due_referrals:
        _anonymise_referral(referral, stamp)
    audit.record("retention.run", "retention", None, cases=result.cases, referrals=result.referrals)
    db.session.commit()
    return result

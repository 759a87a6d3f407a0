"""Consent and risk are stored as members of their vocabularies (models.Consent, models.Risk).

The 支援会議 legal-basis rule and the review interval read these codes: a misspelt one would
pass every comparison silently, so what the office can store is pinned here."""

from sqlalchemy import select

from app.referrals import cases, meetings, service
from app.referrals.choices import CONSENT, CONSENTED, RISK
from app.referrals.models import Consent, Referral, Risk, SupportCase
from tests.referrals.helpers import make_referral, office_staff


def _open(db, referral, worker) -> int:
    case = service.triage(referral, "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id)
    db.session.commit()
    return case.id


def test_the_stored_codes_are_fixed():
    # Rows hold these exact strings: changing one needs a migration, not an edit here.
    assert set(Consent) == {"written", "verbal", "unconfirmed", "refused"}
    assert set(Risk) == {"low", "medium", "high"}
    assert set(CONSENT) == set(Consent) and set(RISK) == set(Risk)
    assert set(CONSENTED) == {Consent.WRITTEN, Consent.VERBAL}


def test_each_consent_the_form_offers_is_stored_and_carried_into_the_case(db):
    (worker,) = office_staff()
    case_ids = {}
    for consent in CONSENT:  # the referral form's choices
        basis = "consent" if consent in CONSENTED else "child_abuse"
        case_ids[consent] = _open(db, make_referral(consent=consent, legal_basis=basis), worker)
    db.session.expire_all()

    assert set(db.session.scalars(select(Referral.consent))) == set(Consent)
    opened = {consent: db.session.get(SupportCase, i) for consent, i in case_ids.items()}
    assert {consent: case.consent for consent, case in opened.items()} == {c: c for c in Consent}
    # Only written or verbal consent spares the meeting from recording 支援会議 as the basis.
    needs_basis = {consent for consent, case in opened.items() if meetings.needs_legal_basis(case)}
    assert needs_basis == {Consent.UNCONFIRMED, Consent.REFUSED}


def test_risk_is_set_from_the_urgency_and_changed_only_to_a_member(db):
    (worker,) = office_staff()
    urgent = _open(db, make_referral(urgency="life_risk"), worker)
    routine = _open(db, make_referral(urgency="routine"), worker)
    db.session.expire_all()
    assert db.session.get(SupportCase, urgent).risk == Risk.HIGH
    assert db.session.get(SupportCase, routine).risk == Risk.MEDIUM

    stored = []
    for risk in RISK:  # the plan form's choices
        case = db.session.get(SupportCase, routine)
        cases.update_plan(
            case,
            lead_worker_id=worker.id,
            risk=risk,
            plan_goal="家計の立て直し",
            next_review_on=cases.latest_allowed_review(risk),
            flagged_for_meeting=False,
            actor_id=worker.id,
        )
        db.session.commit()
        db.session.expire_all()
        stored.append(db.session.get(SupportCase, routine).risk)
    assert stored == list(Risk)


def test_a_case_made_without_consent_or_risk_gets_the_default_members(db):
    case = SupportCase(reference="C-2026-9999", next_review_on=service.today())
    db.session.add(case)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(SupportCase, case.id)
    assert (stored.consent, stored.risk) == (Consent.UNCONFIRMED, Risk.MEDIUM)

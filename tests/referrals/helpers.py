"""Small helpers for the referral tests."""

from __future__ import annotations

import itertools
import secrets

from app.core.permissions import Role
from app.extensions import db
from app.referrals import service
from tests.factories import make_department, make_employee

_n = itertools.count(1)


def form_data(**overrides) -> dict:
    data = {
        "resident_name": "粟田 花子",
        "resident_kana": "アワタ ハナコ",
        "desk_number": "1234567",
        "area": "金津地区",
        "concerns": ["arrears", "care"],
        "observed": "滞納分を小銭で支払われた。母親を一人にできないと話していた。",
        "urgency": "routine",
        "consent": "verbal",
        "told_about_office": "yes",
        "preferred_contact": "phone",
        "idempotency_key": secrets.token_urlsafe(24),
    }
    data.update(overrides)
    return data


def referral_input(**overrides) -> service.ReferralInput:
    values = dict(
        resident_name="粟田 花子",
        resident_kana="アワタ ハナコ",
        desk_number="",
        birth_date="",
        area="金津地区",
        concerns=["arrears"],
        observed="滞納が続いている。",
        urgency="routine",
        consent="verbal",
        told_about_office=True,
        preferred_contact="phone",
        legal_basis="consent",
    )
    values.update(overrides)
    return service.ReferralInput(**values)


def make_referral(referrer=None, **overrides):
    referrer = referrer or make_employee()
    referral, _ = service.submit_referral(
        referrer, referral_input(**overrides), secrets.token_urlsafe(24)
    )
    db.session.commit()  # the request's commit: services only flush
    return referral


def office_staff(n: int = 1):
    office = make_department(name_ja="福祉まるごと相談室")
    return [make_employee(department=office, roles=[Role.CONSULTATION]) for _ in range(n)]

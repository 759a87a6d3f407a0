"""The quick form follows the consent model (docs/consent-model.md): without consent nothing that
identifies the resident leaves the desk, unless a duty that overrides consent is named."""

import pytest
from sqlalchemy import select

from app.core.models import AuditEvent
from app.referrals.models import Referral
from tests.factories import login, make_employee
from tests.referrals.helpers import form_data, office_staff

IDENTIFYING = ("resident_name", "resident_kana", "desk_number", "birth_date", "phone", "household")
EMPTY_IDENTITY = dict.fromkeys(IDENTIFYING, "")


@pytest.mark.parametrize("consent", ["unconfirmed", "refused"])
def test_without_consent_the_basis_must_be_chosen(client, db, consent):
    login(client, make_employee())
    response = client.post("/refer", data=form_data(consent=consent))
    assert response.status_code == 200
    assert "同意がないときの扱いを選んでください" in response.get_data(as_text=True)
    assert db.session.query(Referral).count() == 0


@pytest.mark.parametrize("field", IDENTIFYING)
def test_an_anonymous_consultation_refuses_each_identifying_field(client, db, field):
    login(client, make_employee())
    values = {**EMPTY_IDENTITY, field: "1950-04-01" if field == "birth_date" else "アワラ タロウ"}
    response = client.post(
        "/refer", data=form_data(consent="refused", no_consent_basis="anonymous", **values)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "住民を特定できることは書かないでください" in page
    assert db.session.query(Referral).count() == 0


def test_an_anonymous_consultation_is_received_without_identity(client, db):
    login(client, make_employee())
    data = form_data(
        consent="refused",
        no_consent_basis="anonymous",
        observed="分納が続かず、家族の世話で困っている様子だった。",
        **EMPTY_IDENTITY,
    )
    assert client.post("/refer", data=data).status_code == 303
    referral = db.session.scalar(select(Referral))
    assert referral.legal_basis == "anonymous" and referral.consent == "refused"
    assert (
        referral.resident_name is None
        and referral.resident_kana_hash is None
        and referral.phone is None
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.created"))
    assert event.detail["basis"] == "anonymous"


def test_a_duty_that_overrides_consent_lets_the_resident_be_named(client, db):
    clerk = make_employee()
    login(client, clerk)
    data = form_data(
        consent="unconfirmed",
        no_consent_basis="child_abuse",
        concerns=["child_rearing", "no_food"],
        observed="子どもが数日食べていないと話した。",
    )
    assert client.post("/refer", data=data).status_code == 303
    referral = db.session.scalar(select(Referral))
    assert referral.legal_basis == "child_abuse" and referral.resident_name == "粟田 花子"

    (worker,) = office_staff()
    office = client.application.test_client()
    login(office, worker)
    page = office.get(f"/consultation/referrals/{referral.id}").get_data(as_text=True)
    assert "子どもへの虐待の疑い（通告）" in page


def test_with_consent_the_basis_is_consent_whatever_is_posted(client, db):
    login(client, make_employee())
    assert (
        client.post(
            "/refer", data=form_data(consent="verbal", no_consent_basis="life_risk")
        ).status_code
        == 303
    )
    assert db.session.scalar(select(Referral)).legal_basis == "consent"


def test_a_forged_basis_is_refused(client, db):
    login(client, make_employee())
    response = client.post(
        "/refer", data=form_data(consent="refused", no_consent_basis="because-i-said-so")
    )
    assert (
        response.status_code == 200
        and "同意がないときの扱いを選んでください" in response.get_data(as_text=True)
    )
    assert db.session.query(Referral).count() == 0

"""The quick form: fields, reference numbers, idempotency, and no personal data in URLs."""

import threading

from sqlalchemy import select, text

from app.core.models import AuditEvent
from app.core.permissions import Role
from app.referrals import service
from app.referrals.models import Referral
from tests.factories import PASSWORD, login, make_department, make_employee
from tests.referrals.helpers import form_data


def test_header_button_and_form_for_every_employee(client):
    tax = make_department(code="1040", name_ja="税務課")
    clerk = make_employee(department=tax, name="窓口 一郎")
    login(client, clerk)
    home = client.get("/").get_data(as_text=True)
    assert 'id="refer-button"' in home and 'href="/refer"' in home
    page = client.get("/refer").get_data(as_text=True)
    assert "窓口 一郎" in page and "税務課" in page  # referrer from the sign-in
    assert "事実" in page  # facts, not diagnoses
    assert 'id="call-now"' in page and "内線 281" in page and "110 / 119" in page
    # without consent: nothing learned at the desk is passed on; the bases that override consent
    assert (
        "担当業務で知ったこと" in page
        and "住民を特定しない相談" in page
        and "子どもへの虐待の疑い（通告）" in page
    )
    for concern in ("ヤングケアラー", "ひきこもり", "食べ物がない"):
        assert concern in page


def test_submit_creates_a_referral_with_a_reference_and_encrypted_fields(client, db):
    tax = make_department(code="1040", name_ja="税務課")
    clerk = make_employee(department=tax)
    login(client, clerk)
    response = client.post("/refer", data=form_data())
    assert response.status_code == 303
    location = response.headers["Location"]
    referral = db.session.scalar(select(Referral))
    assert location.endswith(f"/refer/sent/{referral.reference}")
    assert "アワタ" not in location and "1234567" not in location
    assert referral.reference.startswith(
        f"R-{service.today().year}-"
    ) and referral.reference.endswith("0001")
    assert referral.referrer_id == clerk.id and referral.source_department_id == tax.id
    assert referral.resident_name == "粟田 花子" and referral.concern_codes == ["arrears", "care"]
    raw = db.session.execute(
        text("SELECT resident_name, observed, resident_kana_hash FROM referral")
    ).one()
    assert "粟田" not in raw[0] and "小銭" not in raw[1] and raw[0].startswith("gAAAA")
    assert len(raw[2]) == 64
    page = client.get(location).get_data(as_text=True)
    assert referral.reference in page
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "referral.created")
    ).all()
    assert (
        len(events) == 1 and events[0].actor_id == clerk.id and "粟田" not in str(events[0].detail)
    )


def test_resend_with_the_same_key_creates_exactly_one(client, db):
    login(client, make_employee())
    data = form_data()
    first = client.post("/refer", data=data)
    second = client.post("/refer", data=data)  # double click, reload or resend
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.query(Referral).count() == 1
    client.post("/refer", data=form_data())
    assert db.session.query(Referral).count() == 2


def test_another_employees_key_is_refused(client, db):
    data = form_data()
    login(client, make_employee())
    client.post("/refer", data=data)
    other = client.application.test_client()
    login(other, make_employee())
    assert other.post("/refer", data=data).status_code == 400
    assert db.session.query(Referral).count() == 1


def test_missing_fields_are_reported_and_the_key_is_kept(client, db):
    login(client, make_employee())
    data = form_data(observed="", consent="", resident_name="", resident_kana="", desk_number="")
    response = client.post("/refer", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "見たことや聞いたこと" in page and "同意の状況を選んでください" in page
    assert "住民のお名前か" in page
    assert data["idempotency_key"] in page
    assert db.session.query(Referral).count() == 0


def test_references_are_sequential_per_year_and_unique_under_concurrency(app, db):
    numbers = []
    errors = []

    def take():
        with app.app_context():
            try:
                numbers.append(service.next_reference("T", 2031))
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"T-2031-{n:04d}" for n in range(1, 9)]
    assert service.next_reference("T", 2032) == "T-2032-0001"


def test_concurrent_double_submit_creates_one(app, db):
    staff_number = make_employee().staff_number
    data = form_data()
    statuses = []

    def post():
        client = app.test_client()
        client.post("/login", data={"login": staff_number, "password": PASSWORD})
        statuses.append(client.post("/refer", data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303, 303, 303]
    assert db.session.query(Referral).count() == 1


def test_life_risk_confirmation_shows_call_now(client, db):
    login(client, make_employee())
    response = client.post(
        "/refer",
        data=form_data(urgency="life_risk", consent="refused", no_consent_basis="life_risk"),
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="call-now"' in page and "hidden" not in page.split('id="call-now"')[1].split(">")[0]
    assert "支援会議" in page


def test_settings_change_the_wording(app, client):
    app.config["REFERRAL_OFFICE_EXTENSION"] = "内線 999"
    app.config["REFERRAL_NO_CONSENT_ROUTE_JA"] = "市の定める手順で検討します。"
    login(client, make_employee())
    page = client.get("/refer").get_data(as_text=True)
    assert "内線 999" in page and "市の定める手順で検討します。" in page


def test_only_own_confirmation_page(client):
    owner = make_employee()
    login(client, owner)
    location = client.post("/refer", data=form_data()).headers["Location"]
    other = client.application.test_client()
    login(other, make_employee(roles=[Role.TRAINING_ADMIN]))
    assert other.get(location).status_code == 404


def test_a_reused_form_with_different_content_is_not_swallowed(client, db):
    login(client, make_employee())
    data = form_data()
    first = client.post("/refer", data=data)
    reference = db.session.scalar(select(Referral)).reference
    changed = dict(
        data, resident_name="別の 住民", resident_kana="ベツノ ジュウミン"
    )  # back button, new resident
    response = client.post("/refer", data=changed)
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and reference in page and "別の 住民" in page
    assert data["idempotency_key"] not in page  # a fresh key for the new referral
    assert db.session.query(Referral).count() == 1
    assert first.status_code == 303


def test_dates_are_shown_in_japan_time(client, db):
    from datetime import datetime

    clerk = make_employee()
    login(client, clerk)
    client.post("/refer", data=form_data())
    referral = db.session.scalar(select(Referral))
    referral.created_at = datetime(2026, 3, 31, 23, 30)  # 08:30 on 1 April in Japan
    db.session.commit()
    page = client.get("/refer/mine").get_data(as_text=True)
    assert "2026年4月1日" in page and "2026年3月31日" not in page

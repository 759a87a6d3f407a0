"""Encryption at rest, key rotation, retention, the audit log, and inert free text."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app.core.models import AuditEvent, AuditLogIsAppendOnly, utcnow
from app.referrals import cases, crypto, retention, service
from app.referrals.models import CaseEntry, Referral, SupportCase
from tests.factories import login, make_employee
from tests.referrals.helpers import form_data, make_referral, office_staff

XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
XSS_SHORT = "<img src=x onerror=alert(1)>"  # for fields limited to 40 characters


@pytest.fixture
def own_keys(app, tmp_path):
    """Keys in a fresh instance folder, so that rotating them touches nothing else."""
    previous = app.instance_path
    app.instance_path = str(tmp_path)
    crypto.reset(app)
    yield tmp_path
    app.instance_path = previous
    crypto.reset(app)


def _raw(db, column, table="referral"):
    return db.session.execute(text(f"SELECT {column} FROM {table}")).scalar()


def test_case_records_are_encrypted_and_searchable_by_kana_hash(db):
    (worker,) = office_staff()
    case = service.triage(
        make_referral(), "accept", "理由メモ", lead_worker_id=worker.id, actor_id=worker.id
    )
    cases.record_entry(case, "visit", "自宅を訪問した", service.today(), actor_id=worker.id)
    assert "粟田" not in _raw(db, "household_name", "support_case")
    assert (
        "訪問"
        not in db.session.execute(text("SELECT body FROM case_entry WHERE kind='visit'")).scalar()
    )
    assert "理由メモ" not in _raw(db, "triage_reason")
    assert _raw(db, "household_kana_hash", "support_case") == crypto.kana_hash("ｱﾜﾀ ﾊﾅｺ")
    assert crypto.normalise_kana("あわた　はなこ") == crypto.normalise_kana("アワタハナコ")


def test_rotate_key_reencrypts_everything(app, db, own_keys):
    referral = make_referral()
    before = _raw(db, "observed")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["referrals", "rotate-key"])
    assert result.exit_code == 0, result.output
    keys = (own_keys / "referral_keys").read_text().split()
    assert len(keys) == 2
    after = _raw(db, "observed")
    assert after != before
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).observed == "滞納が続いている。"
    # The new token needs the new key: the old key alone cannot read it.
    from cryptography.fernet import Fernet, InvalidToken

    with pytest.raises(InvalidToken):
        Fernet(keys[1].encode()).decrypt(after.encode())
    assert Fernet(keys[0].encode()).decrypt(after.encode()).decode() == "滞納が続いている。"
    result = runner.invoke(args=["referrals", "rotate-key", "--drop-old"])
    assert result.exit_code == 0 and len((own_keys / "referral_keys").read_text().split()) == 1
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).observed == "滞納が続いている。"
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referrals.keys_rotated"))
        is not None
    )


def test_keys_from_the_environment_setting(app, db, own_keys):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["REFERRAL_KEYS"] = old
    crypto.reset(app)
    referral = make_referral()
    app.config["REFERRAL_KEYS"] = f"{new},{old}"  # the new key first, the old one kept
    crypto.reset(app)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).resident_name == "粟田 花子"
    app.config["REFERRAL_KEYS"] = new
    crypto.reset(app)
    db.session.expire_all()
    with pytest.raises(crypto.UndecryptableRecord):
        db.session.get(Referral, referral.id).resident_name  # noqa: B018
    app.config.pop("REFERRAL_KEYS")


def test_retention_anonymises_old_closed_records_only(app, db):
    worker, colleague = office_staff(2)
    old_case = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    cases.add_member(old_case, "粟田 太郎", "アワタ タロウ", "長男", actor_id=worker.id)
    cases.record_entry(old_case, "contact", "本人と電話", service.today(), actor_id=worker.id)
    old_case.status, old_case.closure_reason = "closed", "goal_met"
    old_case.closed_at = utcnow() - timedelta(days=6 * 366)
    recent = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    recent.status, recent.closed_at = "closed", utcnow() - timedelta(days=30)
    still_open = service.triage(
        make_referral(), "accept", "新規", lead_worker_id=worker.id, actor_id=worker.id
    )
    still_open.opened_at = utcnow() - timedelta(days=8 * 365)
    info = make_referral()
    service.triage(info, "info_only", "情報のみ", actor_id=worker.id)
    info.triaged_at = utcnow() - timedelta(days=6 * 366)
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["referrals", "retention", "--dry-run"])
    assert result.exit_code == 0 and "確認のみ" in result.output
    assert (
        "ケース 1 件" in result.output and "つなぎ 2 件" in result.output
    )  # the case's referral + the info-only one
    db.session.expire_all()
    assert old_case.household_name == "粟田 花子" and old_case.anonymised_at is None

    result = runner.invoke(args=["referrals", "retention"])
    assert result.exit_code == 0 and "匿名化しました" in result.output, result.output
    db.session.expire_all()
    assert (
        old_case.anonymised_at is not None
        and old_case.household_name is None
        and old_case.household_kana_hash is None
    )
    assert all(m.name is None and m.kana_hash is None for m in old_case.members)
    assert all(e.body is None for e in old_case.entries)
    assert (
        old_case.closure_reason == "goal_met"
        and db.session.get(SupportCase, old_case.id) is not None
    )
    linked = db.session.scalar(select(Referral).where(Referral.case_id == old_case.id))
    assert linked.resident_name is None and linked.observed is None and linked.reference
    assert info.anonymised_at is not None and info.resident_name is None
    assert recent.anonymised_at is None and recent.household_name == "粟田 花子"
    assert still_open.anonymised_at is None
    assert db.session.query(CaseEntry).count() >= 3  # nothing deleted
    assert retention.run(dry_run=True).cases == 0


def test_audit_log_records_views_and_is_readable_but_not_editable(client, db):
    worker, supervisor = office_staff(2)
    referral = make_referral()
    login(client, worker)
    client.get(f"/consultation/referrals/{referral.id}")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.viewed"))
    assert event.actor_id == worker.id and event.object_id == str(referral.id) and event.occurred_at
    reader = client.application.test_client()
    login(reader, supervisor)
    page = reader.get(
        f"/consultation/audit?records=referral&reference={referral.reference}"
    ).get_data(as_text=True)
    assert (
        "つなぎの閲覧" in page
        and worker.name in page
        and "つなぎの送信" in page
        and referral.reference in page
    )
    assert reader.post("/consultation/audit").status_code == 405
    event.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_no_personal_data_in_audit_details_urls_or_logs(client, db, caplog):
    (worker,) = office_staff()
    clerk = make_employee()
    login(client, clerk)
    caplog.set_level(logging.DEBUG)
    response = client.post("/refer", data=form_data(phone="0776-00-0000"))
    assert "粟田" not in response.headers["Location"]
    referral = db.session.scalar(select(Referral))
    office = client.application.test_client()
    login(office, worker)
    office.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": "粟田さん世帯", "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    office.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "note", "occurred_on": service.today().isoformat(), "body": "粟田さんと面談"},
    )
    details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    for secret in ("粟田", "アワタ", "0776", "小銭", "面談"):
        assert secret not in details
        assert secret not in caplog.text


def test_free_text_is_rendered_inert(client, db):
    (worker,) = office_staff()
    clerk = make_employee()
    login(client, clerk)
    client.post(
        "/refer",
        data=form_data(
            resident_name=XSS,
            resident_kana=XSS,
            desk_number=XSS_SHORT,
            observed=XSS,
            phone=XSS_SHORT,
            household=XSS,
            agencies=XSS,
        ),
    )
    referral = db.session.scalar(select(Referral))
    assert referral is not None and referral.desk_number == XSS_SHORT
    office = client.application.test_client()
    login(office, worker)
    office.post(
        f"/consultation/referrals/{referral.id}/triage",
        data={"action": "accept", "reason": XSS, "lead_worker_id": worker.id},
    )
    case = db.session.scalar(select(SupportCase))
    office.post(
        f"/consultation/cases/{case.id}/entries",
        data={"kind": "note", "occurred_on": service.today().isoformat(), "body": XSS},
    )
    office.post(
        f"/consultation/cases/{case.id}/agencies", data={"agency-name": XSS, "agency-role": XSS}
    )
    for url in (
        f"/consultation/referrals/{referral.id}",
        f"/consultation/cases/{case.id}",
        "/consultation/cases",
    ):
        page = office.get(url).get_data(as_text=True)
        assert "<script>window.__xss" not in page and "<img src=x" not in page
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page


def test_new_key_prints_a_usable_key(app):
    from cryptography.fernet import Fernet

    result = app.test_cli_runner().invoke(args=["referrals", "new-key"])
    key = result.output.strip()
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"

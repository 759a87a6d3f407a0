"""What the portal refuses or arranges when it starts: no new keys for a database whose records
were encrypted with others, and an SQLite database set up for a hall of learners at once."""

import shutil
import sqlite3
import threading
import time

import pytest
from flask_login import login_user
from sqlalchemy import text

from app import create_app
from app.extensions import db as _db
from app.referrals import crypto, service
from tests.conftest import make_config
from tests.factories import make_employee


def _app(tmp_path, instance, **overrides):
    config = make_config((f"sqlite:///{tmp_path / 'portal.sqlite3'}", {}), instance, **overrides)
    config["INSTANCE_PATH"] = instance
    app = create_app(config)
    app.instance_path = str(instance)
    return app


def test_keys_missing_for_a_database_with_records_is_a_refusal_naming_the_files(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = _app(tmp_path, instance)
    with app.app_context():
        _db.create_all()
        assert not crypto.holds_encrypted_records(app)
        crypto.check_keys(app)  # an empty database: keys may be made
    assert crypto.encryption_keys(app) and (instance / "referral_keys").exists()

    # The database now holds a case; the key files are lost (restored without them).
    with app.app_context():
        reporter = make_employee()
        data = service.ReferralInput(
            resident_name="山田 花子",
            resident_kana="ヤマダ ハナコ",
            desk_number="",
            birth_date="",
            area="金津地区",
            concerns=["money"],
            observed="滞納が続いている",
            urgency="normal",
            consent="consented",
            told_about_office=True,
            preferred_contact="phone",
            legal_basis="consent",
        )
        with app.test_request_context():
            login_user(reporter)
            service.submit_referral(reporter, data, "token-0123456789abcdef")
        _db.session.commit()
        assert crypto.holds_encrypted_records(app)
    for name in ("referral_keys", "referral_hash_key"):
        (instance / name).unlink()

    with app.app_context(), pytest.raises(crypto.MissingKeys) as refused:
        crypto.check_keys(app)
    message = str(refused.value)
    assert "referral_keys" in message and "REFERRAL_KEYS" in message and "backup" in message
    assert not (instance / "referral_keys").exists()  # nothing was generated

    crypto.reset(app)
    with app.app_context(), pytest.raises(crypto.MissingKeys):
        crypto.encrypt("新しい鍵で")  # the lazy path refuses too
    assert (
        not (instance / "referral_keys").exists() and not (instance / "referral_hash_key").exists()
    )

    # The web server's create_app (not testing, not a command) refuses to start.
    with pytest.raises(crypto.MissingKeys, match="referral_keys"):
        _app(tmp_path, instance, TESTING=False)


def test_sqlite_runs_in_wal_with_a_busy_timeout(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = _app(tmp_path, instance, SQLITE_BUSY_TIMEOUT_SECONDS=12)
    with app.app_context(), _db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 12000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_a_writer_waits_for_the_lock_instead_of_failing(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    app = _app(tmp_path, instance, SQLITE_BUSY_TIMEOUT_SECONDS=10)
    with app.app_context(), _db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE report (n INTEGER)"))
    holder = sqlite3.connect(
        tmp_path / "portal.sqlite3", timeout=0, isolation_level=None, check_same_thread=False
    )
    holder.execute("BEGIN IMMEDIATE")  # another worker holds the write lock for a moment
    holder.execute("INSERT INTO report VALUES (0)")
    release = threading.Timer(1.5, lambda: holder.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    with app.app_context(), _db.engine.begin() as conn:
        assert (
            conn.execute(text("SELECT count(*) FROM report")).scalar() == 0
        )  # WAL: a reader is never blocked
        conn.execute(text("INSERT INTO report VALUES (1)"))  # waits, then writes
    release.join()
    holder.close()
    assert time.monotonic() - started >= 1.0
    with app.app_context(), _db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM report")).scalar() == 2
    shutil.rmtree(instance, ignore_errors=True)

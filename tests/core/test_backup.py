"""`flask backup` / `flask restore`: a round trip through real migrations on SQLite and
PostgreSQL — every row back, the referral keys back (old referrals readable, new ones
numbered after them), the media checked against the manifest, and no silent overwrite."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.config import TestConfig
from app.core import backup
from app.extensions import db
from app.referrals import crypto
from app.referrals.models import Referral
from tests.factories import make_employee
from tests.referrals.helpers import make_referral


@pytest.fixture
def place(tmp_path):
    """A fresh database (an SQLite file, or a new PostgreSQL schema) per call."""
    url = os.environ.get("TEST_DATABASE_URL")
    made: list[str] = []

    def new(name: str):
        folder = tmp_path / name
        folder.mkdir()
        if not url:
            return f"sqlite:///{folder / 'db.sqlite3'}", {}, folder
        schema = f"bk_{name}_{uuid.uuid4().hex[:8]}"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        made.append(schema)
        return url, {"connect_args": {"options": f"-csearch_path={schema}"}}, folder

    yield new
    for app in _apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    _apps.clear()
    if made:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for schema in made:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


_apps: list = []


def make_app(where):
    url, options, folder = where
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, **options},
        MEDIA_ROOT=folder / "media",
    )
    app = create_app(config)
    app.instance_path = str(folder / "instance")
    _apps.append(app)
    return app


def all_rows(app) -> dict[str, list]:
    with app.app_context(), db.engine.connect() as conn:
        metadata = sa.MetaData()
        metadata.reflect(bind=conn)
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in metadata.sorted_tables
            if t.name != "worker_heartbeat"
        }


def test_backup_and_restore_round_trip(place, tmp_path):
    source = make_app(place("src"))
    with source.app_context():
        upgrade()
        referrer = make_employee()
        first = make_referral(referrer, resident_name="粟田 花子")
        make_referral(referrer, resident_name="金津 太郎")
        first_id = first.id
        db.session.remove()
    media = Path(source.config["MEDIA_ROOT"])
    (media / "videos" / "lesson" / "v1").mkdir(parents=True)
    (media / "videos" / "lesson" / "v1" / "720.mp4").write_bytes(b"\x00" * 2048)
    (media / "videos" / "lesson" / "v1" / "poster.jpg").write_bytes(b"\xff\xd8" * 10)
    (media / "incoming").mkdir()
    (media / "incoming" / "half-uploaded.mp4").write_bytes(b"x")  # in flight: not listed

    with source.app_context():
        summary = backup.create_backup(tmp_path / "backups")
    archive = Path(summary["path"])
    assert archive.stat().st_mode & 0o777 == 0o600
    assert summary["media_files"] == 2 and {"referral_keys", "referral_hash_key"} <= set(
        summary["keys"]
    )
    assert summary["tables"]["referral"] == 2

    target_place = place("dst")
    target = make_app(target_place)
    shutil.copytree(media, target.config["MEDIA_ROOT"])
    (
        Path(target.config["MEDIA_ROOT"]) / "videos" / "lesson" / "v1" / "poster.jpg"
    ).unlink()  # the file copy lost one
    with target.app_context():
        report = backup.restore_backup(archive)
    assert (
        report.tables["referral"] == 2
        and report.media_ok == 1
        and report.media_missing == ["videos/lesson/v1/poster.jpg"]
    )
    assert all_rows(target) == all_rows(source)
    assert (Path(target.instance_path) / "referral_keys").read_bytes() == (
        Path(source.instance_path) / "referral_keys"
    ).read_bytes()
    assert (Path(target.instance_path) / "referral_keys").stat().st_mode & 0o777 == 0o600

    with target.app_context():
        restored = db.session.get(Referral, first_id)
        assert restored.resident_name == "粟田 花子"  # readable: the keys came back with the rows
        later = make_referral(
            make_employee(), resident_name="新規 登録"
        )  # ids continue after the restored ones
        assert later.id > first_id + 1
        with pytest.raises(backup.RestoreRefused, match="not empty"):
            backup.restore_backup(archive)
        db.session.remove()


def test_restore_never_silently_replaces_other_keys(place, tmp_path):
    source = make_app(place("src"))
    with source.app_context():
        upgrade()
        make_referral(make_employee())
        archive = Path(backup.create_backup(tmp_path / "b.tar.gz")["path"])
        db.session.remove()
    other = make_app(place("other"))
    with other.app_context():
        crypto.encrypt("別の鍵で")  # this instance already made its own keys
        mine = (Path(other.instance_path) / "referral_keys").read_bytes()
        with pytest.raises(backup.RestoreRefused, match="differs"):
            backup.restore_backup(archive)
        assert (Path(other.instance_path) / "referral_keys").read_bytes() == mine
        report = backup.restore_backup(archive, force=True)
        assert "referral_keys" in report.keys
        db.session.remove()
    assert (Path(other.instance_path) / "referral_keys").read_bytes() == (
        Path(source.instance_path) / "referral_keys"
    ).read_bytes()


def test_a_file_that_is_not_a_backup_is_refused(app, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    with pytest.raises(backup.RestoreRefused, match="not a backup"):
        backup.restore_backup(junk)

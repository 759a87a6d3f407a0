"""The database, the keys and previewed rosters are readable by the service user only."""

from __future__ import annotations

import os
import re
import stat
import time
from io import BytesIO
from pathlib import Path

import pytest

from app import create_app
from app.config import instance_secret_key
from app.core.permissions import Role
from app.referrals import crypto
from tests.accounts.test_roster import csv_bytes
from tests.conftest import make_config
from tests.factories import login, make_department, make_employee


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """As on a server with a lax umask: without care, new files would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_sqlite_database_and_keys_are_private(open_umask, tmp_path):
    instance = tmp_path / "instance"
    database = instance / "tsunagu.sqlite3"
    app = create_app(make_config(("sqlite:///" + str(database), {}), tmp_path))
    app.instance_path = str(instance)
    assert mode(instance) == 0o700
    assert mode(database) == 0o600
    with app.app_context():
        from app.extensions import db

        db.create_all()
        db.engine.dispose()
    assert mode(database) == 0o600
    instance_secret_key(instance)
    crypto.instance_keys(app)
    crypto.hash_key(app)
    for name in ("secret_key", crypto.KEY_FILE, crypto.HASH_KEY_FILE):
        assert mode(instance / name) == 0o600, name
    assert sorted(p.name for p in instance.iterdir() if mode(p) & 0o077) == []


def test_an_existing_world_readable_database_is_narrowed(open_umask, tmp_path):
    database = tmp_path / "old.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    create_app(make_config(("sqlite:///" + str(database), {}), tmp_path))
    assert mode(database) == 0o600


def _preview(client, data):
    html = client.post(
        "/admin/roster",
        data={"file": (BytesIO(data), "roster.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    return re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)


def test_roster_previews_are_private_and_purged_after_apply(open_umask, app, client):
    make_department(code="1040", name_ja="税務課")
    login(client, make_employee(roles=[Role.TRAINING_ADMIN]))
    token = _preview(client, csv_bytes(["700001,画面 取込,ガメン トリコミ,1040,税務課,主事,"]))
    folder = Path(app.instance_path) / "uploads" / "roster"
    preview = folder / f"{token}.csv"
    assert mode(folder) == 0o700
    assert mode(preview) == 0o600
    client.post("/admin/roster/apply", data={"token": token, "deactivate_missing": ""})
    assert not preview.exists()


def test_roster_previews_older_than_a_day_are_purged(app, client):
    make_department(code="1040", name_ja="税務課")
    login(client, make_employee(roles=[Role.TRAINING_ADMIN]))
    data = csv_bytes(["700002,画面 取込,ガメン トリコミ,1040,税務課,主事,"])
    old_token = _preview(client, data)
    folder = Path(app.instance_path) / "uploads" / "roster"
    old = folder / f"{old_token}.csv"
    day_and_a_minute_ago = time.time() - 24 * 3600 - 60
    os.utime(old, (day_and_a_minute_ago, day_and_a_minute_ago))
    fresh = folder / f"{_preview(client, data)}.csv"
    assert not old.exists() and fresh.exists()
    expired = client.post(
        "/admin/roster/apply", data={"token": old_token, "deactivate_missing": ""}
    )
    assert expired.status_code == 302

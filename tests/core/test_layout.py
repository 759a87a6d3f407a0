"""Language, dates, headers and the catalogues."""

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.core.i18n import jdate
from app.core.security import CONTENT_SECURITY_POLICY
from tests.factories import login, make_employee

APP_DIR = Path(__file__).resolve().parents[2] / "app"


def test_japanese_by_default_and_english_remembered(client, db):
    person = make_employee()
    assert "ログイン" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    login(client, person)
    client.post("/language", data={"locale": "en"})
    db.session.refresh(person)
    assert person.locale == "en"
    other = client.application.test_client()
    login(other, person)
    assert "Sign out" in other.get("/").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example.com/"})
    assert response.headers["Location"].startswith("/")


def test_dates_in_the_japanese_way(app):
    with app.test_request_context():
        assert jdate(date(2026, 4, 1)) == "2026年4月1日"
        # 23:30 UTC on 31 March is already 1 April in Japan
        assert jdate(datetime(2026, 3, 31, 23, 30)) == "2026年4月1日"


def test_csp_allows_only_self(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "http" not in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_error_pages_are_translated(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)
    login(client, make_employee())
    client.post("/language", data={"locale": "en"})
    assert "could not be found" in client.get("/no-such-page").get_data(as_text=True)


def test_500_page_is_translated(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/__boom")
    def boom():
        raise RuntimeError("boom")

    from app.core.permissions import public

    public(app.view_functions.get("__boom", boom))
    response = client.get("/__boom")
    assert response.status_code == 500
    assert "サーバーで問題が発生しました" in response.get_data(as_text=True)


CATALOGUES = sorted(APP_DIR.glob("*/translations/ja/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_ja_catalogue_is_complete(po):
    with po.open("rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    """Re-extract the strings: a new ``_()`` without a ja translation fails here."""
    root = APP_DIR.parent
    missing = []
    for po in CATALOGUES:
        area = po.parents[3]
        sources = [str(area)] + (
            [str(APP_DIR / s) for s in ("templates", "config.py", "extensions.py", "__init__.py")]
            if area.name == "core"
            else []
        )
        pot = tmp_path / f"{area.name}.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                str(root / "babel.cfg"),
                "-k",
                "_l",
                "-o",
                str(pot),
                *sources,
            ],
            check=True,
            cwd=root,
            capture_output=True,
        )
        with pot.open("rb") as fh:
            wanted = {m.id for m in read_po(fh) if m.id}
        with po.open("rb") as fh:
            have = {m.id for m in read_po(fh) if m.id and m.string}
        missing += [f"{area.name}: {m}" for m in sorted(wanted - have, key=str)]
    assert missing == []


def test_catalogues_agree_on_shared_words():
    """Every area's catalogue merges into one domain: a msgid translated two ways in two
    areas would show the wrong word in one of them (a message context, pgettext, keeps two
    meanings of one English word apart)."""
    seen: dict[str, dict[str, list[str]]] = {}
    for po in CATALOGUES:
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string:
                    seen.setdefault(f"{message.context or ''}\x04{message.id}", {}).setdefault(
                        str(message.string), []
                    ).append(po.parts[-5])
    clashes = {msgid: areas for msgid, areas in seen.items() if len(areas) > 1}
    assert clashes == {}

"""The Nu HTML checker on every page the browser tests of this run were served: 0 errors.

The pages are collected by the live server (tests/browser/conftest.py, a few of each kind of
address and status) and checked in one run of vnu (scripts/vnu.sh installs it from the npm
registry). Without a Java runtime or npm the check is skipped, unless VNU_REQUIRED=1 (CI)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import SERVED_PAGES

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("VNU_REQUIRED") == "1"


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (VNU_REQUIRED=1)")
    pytest.skip(reason)


def _vnu_jar() -> str:
    if shutil.which("java") is None:
        _unavailable("no Java runtime for the Nu HTML checker (package default-jre-headless)")
    result = subprocess.run(
        [str(ROOT / "scripts" / "vnu.sh")], capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        _unavailable(f"the Nu HTML checker could not be installed: {result.stderr.strip()[-300:]}")
    return result.stdout.strip()


def errors_in(files: list[Path], jar: str) -> list[dict]:
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", jar, "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


def test_every_page_the_browser_tests_visited_is_valid_html(tmp_path):
    if not SERVED_PAGES:
        pytest.skip("no browser test of this run was served a page")
    jar = _vnu_jar()
    files, urls = [], {}
    for index, (url, body) in enumerate(SERVED_PAGES.values()):
        path = tmp_path / f"page-{index:04d}.html"
        path.write_bytes(body)
        files.append(path)
        urls[path.name] = url
    problems = [
        f"{urls.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine', '?')}: {m['message']} — {m.get('extract', '').strip()[:80]}"
        for m in errors_in(files, jar)
    ]
    print(f"Nu HTML checker: {len(files)} pages, {len(problems)} errors")
    assert problems == [], "\n".join(problems[:50])


def test_the_checker_finds_a_duplicate_id(tmp_path):
    """The check can fail: a page with one id twice is an error."""
    jar = _vnu_jar()
    page = tmp_path / "duplicate.html"
    page.write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head>'
        '<body><input id="csrf_token" type="hidden"><input id="csrf_token" type="hidden"></body></html>'
    )
    assert any("Duplicate ID" in m["message"] for m in errors_in([page], jar))

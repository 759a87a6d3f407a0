"""Real-browser harness: the system Chromium driven by Playwright against a live server.

Every page fixture records each request the page makes and fails the test if any leaves the
portal's host, and fails on console errors (a Content-Security-Policy violation shows there).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
playwright_sync = pytest.importorskip("playwright.sync_api")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with playwright_sync.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield browser
        browser.close()


# Every HTML page the live server sends during this run, for the Nu HTML check
# (test_zz_valid_html.py): up to three different pages per kind of address and status.
SERVED_PAGES: dict[tuple[str, str, int], tuple[str, bytes]] = {}
_PAGES_PER_KIND = 3


def _keep_page(environ, status: str, content_type: str, body: bytes) -> None:
    if not content_type.startswith("text/html") or not body:
        return
    path = environ.get("PATH_INFO", "")
    kind = re.sub(r"\d+", "N", path), status.split()[0]
    variants = [key for key in SERVED_PAGES if key[:2] == kind]
    key = (*kind, hash(body))
    if key not in SERVED_PAGES and len(variants) < _PAGES_PER_KIND:
        query = environ.get("QUERY_STRING")
        SERVED_PAGES[key] = (path + (f"?{query}" if query else ""), body)


def buffered(app):
    """Read each response body fully, and close it, before the server writes it.

    Werkzeug's development server skips ``close()`` on the response when the browser drops
    the connection mid-body (Chromium does that with video ranges), which leaks an open
    media file. Test bodies are small, so buffering them is cheap. HTML pages are kept for
    the Nu HTML check.
    """

    def wsgi(environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["type"] = status, dict(headers).get("Content-Type", "")
            return start_response(status, headers, exc_info)

        iterable = app(environ, capture)
        try:
            body = b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()
        _keep_page(environ, seen.get("status", ""), seen.get("type", ""), body)
        return [body]

    return wsgi


class LiveServer:
    """The app on a real port, a thread per request. On exit it stops accepting and waits for
    the requests it accepted: a player's beacon, sent as the test's page closes, must not
    write while the test's database is being emptied."""

    def __init__(self, app):
        app.config["WTF_CSRF_ENABLED"] = True
        self.app = app
        self.server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.running, self.idle = 0, threading.Condition()
        accept, handle = self.server.process_request, self.server.process_request_thread

        def accepted(request, client_address):  # on the serving thread, as each one arrives
            with self.idle:
                self.running += 1
            accept(request, client_address)

        def handled(request, client_address):  # on the request's own thread
            try:
                handle(request, client_address)
            finally:
                with self.idle:
                    self.running -= 1
                    self.idle.notify_all()

        self.server.process_request = accepted
        self.server.process_request_thread = handled

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()  # no request is accepted after this returns
        self.thread.join(5)
        with self.idle:
            self.idle.wait_for(lambda: self.running == 0, timeout=30)


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server


class PageRecorder:
    """Everything a page asked for, and everything it complained about."""

    def __init__(self, base_url: str):
        self.allowed = urlsplit(base_url).netloc
        self.requests: list[str] = []
        self.console_errors: list[str] = []

    def on_request(self, request):
        self.requests.append(request.url)

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def external(self) -> list[str]:
        return [
            u
            for u in self.requests
            if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u).netloc != self.allowed
        ]


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    recorder = PageRecorder(live_server.url)
    page.on("request", recorder.on_request)
    page.on("console", recorder.on_console)
    page.on("pageerror", lambda exc: recorder.console_errors.append(str(exc)))
    page.recorder = recorder
    page.set_default_timeout(30_000)  # CI machines are shared: allow for load
    yield page
    failed = request.node.rep_call.failed if hasattr(request.node, "rep_call") else False
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert recorder.external() == [], "the page loaded something from another host"
    assert recorder.console_errors == [], "the browser console reported errors"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def sign_in(page, employee, password):
    page.goto("/login")
    page.fill("#login", employee.staff_number)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def assert_accessible(page, context: str = ""):
    """axe-core on the current page: no violations at all."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]
    assert summary == [], f"axe violations on {context or page.url}"

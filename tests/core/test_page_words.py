"""Every role's pages speak to a clerk, not to a developer: with the demo organisation loaded,
each demo account follows the links of its pages (one page per kind of address) and no
rendered text shows a code identifier (``required_for``), an action code (``referral.viewed``),
a record as ``table #id``, raw JSON or a Python value (``None``)."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from app.accounts import demo as accounts_demo
from app.core.demo import demo_loaders
from tests.factories import login

# Loaders that transcode or render media take minutes and add no pages of their own kind.
SLOW_LOADERS = ("app.videos", "app.rendering")
PAGES_PER_ROLE = 120
SKIP = re.compile(
    r"^/(static|media|logout|login)\b|/(export|download|print\.csv|captions)|\.(csv|xlsx|vtt|mp4|webm|json|pdf)$"
)

# Text a code editor would show, not a city-hall screen.
FILE_OR_ADDRESS = re.compile(
    r"\S+@\S+|https?://\S+|[\w./-]+\.(?:ya?ml|md|mp4|vtt|csv|xlsx|json|txt|png|svg|wav|xml|zip|html?|js)\b"
)
DEVELOPER_WORDS = {
    "snake_case identifier": re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/.-])"),
    "action code": re.compile(r"(?<![\w/.@-])[a-z][a-z_]+\.[a-z][a-z_]+(?![\w/.-])"),
    "record as table #id": re.compile(r"\b[a-z_]+ ?#\d+"),
    "raw JSON": re.compile(r"\{\s*\"|\[\s*\{"),
    "Python value": re.compile(r"(?<![\w-])(?:None|True|False)(?![\w-])|<[A-Z]\w+[ .:]"),
}


class VisibleText(HTMLParser):
    """The words a reader meets: text outside scripts and styles, and the attributes shown or
    read aloud. <code> is left out: it marks a file name for the content editors."""

    SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "code", "template"):
            self.skipping += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "title":
            self.parts.append("")
        for name in self.SHOWN_ATTRIBUTES:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "template") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def developer_words(html: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    found = []
    for text in parser.parts:
        text = FILE_OR_ADDRESS.sub(" ", text)
        for what, pattern in DEVELOPER_WORDS.items():
            found += [(what, m.group(0)) for m in pattern.finditer(text)]
    return found


def test_the_scanner_catches_what_it_should():
    page = (
        '<h1>required_for</h1><p>support_case #2</p><td>{"decision": "accept"}</td><p title="referral.viewed">x</p>'
        "<p>None</p><script>const snake_case = 1;</script><code>scenarios/after_referral.yaml</code>"
        "<p>learner@demo.example.jp R-2026-0009 令和8年</p>"
    )
    kinds = sorted({what for what, _word in developer_words(page)})
    assert kinds == [
        "Python value",
        "action code",
        "raw JSON",
        "record as table #id",
        "snake_case identifier",
    ]
    assert developer_words("<p>R-2026-0009 の閲覧（100001）after-referral 令和8年12月3日</p>") == []


def _shape(path: str) -> str:
    """One page per kind of address: /consultation/cases/12 and /…/13 are the same kind."""
    path = re.sub(r"\d+", "N", path)
    return re.sub(r"([?&]page=)N", r"\1N", path)


def _crawl(client, start="/") -> tuple[dict[str, list[tuple[str, str]]], int]:
    """Findings per page, and how many pages were read."""
    seen_shapes, findings, read = set(), {}, 0
    queue = deque([start])
    while queue and len(seen_shapes) < PAGES_PER_ROLE:
        url = queue.popleft()
        shape = _shape(url)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        read += 1
        html = response.get_data(as_text=True)
        words = developer_words(html)
        if words:
            findings[url] = words
        parser = VisibleText()
        parser.feed(html)
        for href in parser.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
                continue
            if _shape(href) not in seen_shapes:
                queue.append(href)
    return findings, read


@pytest.fixture
def demo_world(app, db):
    accounts_demo.load()
    for loader in demo_loaders(app):
        if not loader.__module__.startswith(SLOW_LOADERS):
            loader()
    return {
        number: db.session.query(accounts_demo.Employee).filter_by(staff_number=number).one()
        for number, *_rest in accounts_demo.DEMO_ACCOUNTS
    }


def test_no_page_of_any_role_shows_developer_words(app, demo_world):
    findings, pages = {}, {}
    for number, employee in demo_world.items():
        client = app.test_client()
        login(client, employee, accounts_demo.DEMO_PASSWORD)
        found, read = _crawl(client)
        pages[number] = read
        for url, words in found.items():
            findings[f"{accounts_demo.DEMO_ROLE_LABELS[number]} {url}"] = sorted(set(words))
    print("pages read per demo account:", pages)
    assert findings == {}
    # The walk reached each role's own pages, not only the home page.
    assert min(pages.values()) >= 8 and pages["100004"] >= 15 and pages["100006"] >= 10, pages

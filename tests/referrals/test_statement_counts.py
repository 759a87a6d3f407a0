"""The 相談室's pages run the same number of SQL statements whatever the number of
referrals and cases: lists page, counts count, and recording a view never reloads a page.

The counts are pinned: a change that adds a query per row (or per page) fails here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.referrals import scale
from tests.factories import login, make_department, make_employee
from tests.referrals.helpers import office_staff

SMALL, LARGE = 12, 280  # the larger is past the page size (50) of the inbox and the case list

PAGES = {
    "home panel": ("GET", "/", None),
    "inbox": ("GET", "/consultation/inbox", None),
    "inbox page 2": ("GET", "/consultation/inbox?page=2", None),
    "case list": ("GET", "/consultation/cases", None),
    "case search": ("POST", "/consultation/cases", {"kana": "アワタ", "status": "all"}),
    "stale list": ("GET", "/consultation/cases/stale", None),
    "meetings": ("GET", "/consultation/meetings", None),
    "agenda": ("GET", "/consultation/meetings/{meeting}", None),
    "referral (triage)": ("GET", "/consultation/referrals/{new_referral}", None),
    "case": ("GET", "/consultation/cases/{case}", None),
    "statistics": ("GET", "/consultation/statistics", None),
    "audit log": ("GET", "/consultation/audit", None),
}

# Statements per page, at any size. Lower is welcome (then lower the pin); higher needs a reason.
PINNED = {
    "home panel": 12,  # + the 見守り checks due (casework)
    "inbox": 6,
    "inbox page 2": 6,
    "case list": 6,
    "case search": 6,
    "stale list": 6,
    "meetings": 5,  # + the cases the closure-proposal agenda source brings
    "agenda": 9,  # + the closure proposals of the cases on the agenda
    "referral (triage)": 12,
    "case": 12,
    "statistics": 8,
    "audit log": 9,
}


class StatementCounter:
    """Statements run on ``engines`` (by default all of the app's: the main engine and the
    autocommit one) while the block runs, in all and per engine."""

    def __init__(self, *engines):
        self.engines = engines or tuple(db.engines.values())
        self.by_engine = dict.fromkeys(self.engines, 0)
        self._listeners = {engine: self._counter(engine) for engine in self.engines}

    @property
    def count(self) -> int:
        return sum(self.by_engine.values())

    def _counter(self, engine):
        def count(*args):
            self.by_engine[engine] += 1

        return count

    def __enter__(self):
        for engine, listener in self._listeners.items():
            event.listen(engine, "before_cursor_execute", listener)
        return self

    def __exit__(self, *exc):
        for engine, listener in self._listeners.items():
            event.remove(engine, "before_cursor_execute", listener)


def measure(client, ids: dict[str, int]) -> dict[str, int]:
    counts = {}
    for name, (method, url, data) in PAGES.items():
        url = url.format(**ids)
        client.open(
            url, method=method, data=data
        )  # warm: first-use caches (translations, templates)
        with StatementCounter() as counter:
            response = client.open(url, method=method, data=data)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = counter.count
    return counts


@pytest.fixture
def sizes(app, client):
    """The same pages measured with SMALL referrals, then after the office has grown to LARGE."""
    worker, colleague = office_staff(2)
    referrers = [make_employee(department=make_department(name_ja=f"税務課{i}")) for i in range(3)]
    ids = scale.build(SMALL, referrers, worker, colleague)
    login(client, worker)
    small = measure(client, ids)
    scale.build(LARGE - SMALL, referrers, worker, colleague, start=SMALL)
    large = measure(client, ids)
    return small, large


def test_statement_counts_do_not_grow_with_the_office(sizes):
    small, large = sizes
    assert small == large, {
        name: (small[name], large[name]) for name in small if small[name] != large[name]
    }
    assert large == PINNED, {
        name: (large[name], PINNED[name]) for name in large if large[name] != PINNED[name]
    }


def test_lists_page_at_fifty(app, client):
    worker, colleague = office_staff(2)
    ids = scale.build(LARGE, [make_employee()], worker, colleague)
    login(client, worker)
    inbox = client.get("/consultation/inbox").get_data(as_text=True)
    assert (
        inbox.count('href="/consultation/referrals/') <= 50 + 50
    )  # a page of new ones, 50 recent ones
    assert "page=2" in inbox
    page = client.get("/consultation/cases").get_data(as_text=True)
    assert (
        page.count('<a href="/consultation/cases/') - page.count("/consultation/cases/stale") == 50
    )
    assert 'name="page" value="2"' in page
    second = client.post("/consultation/cases", data={"status": "active", "page": "2"}).get_data(
        as_text=True
    )
    assert (
        second.count('<a href="/consultation/cases/') - second.count("/consultation/cases/stale")
        > 0
    )
    assert ids["case"]

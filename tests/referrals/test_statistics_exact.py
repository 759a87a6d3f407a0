"""The statistics page's figures are aggregated by the database; they must equal, to the last
referral, what counting the rows one by one in the city's calendar gives. The reference below
counts row by row in Python; the data sits on the boundaries where the two could differ: the
first and last instant of a city month, contacts before the referral, even and odd numbers of
contacts in a month, referrals older than the period, anonymised and closed cases."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import median

import pytest
from sqlalchemy import select

from app.core import clock
from app.extensions import db as _db
from app.referrals import statistics
from app.referrals.models import Referral, SupportCase
from app.referrals.service import today
from tests.factories import make_department, make_employee
from tests.referrals.helpers import make_referral, office_staff


def reference_by_department(months: int) -> dict[int | None, list[int]]:
    span = statistics.months_back(months)
    index = {ym: i for i, ym in enumerate(span)}
    counts: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(span))
    for referral in _db.session.scalars(select(Referral)):
        local = clock.local(referral.created_at)
        position = index.get((local.year, local.month))
        if position is not None:
            counts[referral.source_department_id][position] += 1
    return dict(counts)


def reference_first_contact(months: int) -> list[tuple]:
    span = statistics.months_back(months)
    grouped: dict[tuple[int, int], list] = defaultdict(list)
    for referral in _db.session.scalars(select(Referral)):
        if referral.status not in ("new", "accepted", "linked"):
            continue
        local = clock.local(referral.created_at)
        contact = referral.first_contact_at
        grouped[(local.year, local.month)].append(
            None
            if contact is None
            else max(0.0, (contact - referral.created_at).total_seconds() / 86400)
        )
    out = []
    for year, month in span:
        values = grouped.get((year, month), [])
        days = [v for v in values if v is not None]
        out.append(
            (
                year,
                month,
                len(values),
                len(days),
                round(median(days), 1) if days else None,
                round(sum(days) / len(days), 1) if days else None,
            )
        )
    return out


def reference_by_age() -> list[tuple[str, int, int]]:
    now = today()
    counts, overdue = Counter(), Counter()
    for case in _db.session.scalars(select(SupportCase)):
        if case.status == "closed" or case.anonymised_at is not None:
            continue
        age = (now - clock.local_date(case.opened_at)).days
        for low, high, label in statistics.AGE_BUCKETS:
            if age >= low and (high is None or age < high):
                counts[label] += 1
                overdue[label] += case.next_review_on < now
                break
    return [(label, counts[label], overdue[label]) for _l, _h, label in statistics.AGE_BUCKETS]


def reference_closures() -> list[tuple[str, int]]:
    counted = Counter(
        c.closure_reason for c in _db.session.scalars(select(SupportCase)) if c.status == "closed"
    )
    return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0] or ""))


def _month_start(months_ago: int) -> date:
    year, month = statistics.months_back(months_ago + 1)[0]
    return date(year, month, 1)


@pytest.fixture
def office(db):
    """Referrals and cases spread over fourteen months, many on a month's or a bucket's edge."""
    (worker,) = office_staff(1)
    desks = [make_employee(department=make_department()) for _ in range(3)]
    tick = timedelta(microseconds=1)
    statuses = ["new", "accepted", "linked", "redirected", "info_only"]
    for n in range(44):
        referral = make_referral(desks[n % 3])
        months_ago = n % 14  # 12 and 13 lie before the period and must not be counted
        start = clock.day_start(_month_start(months_ago))
        # the first instant of the month, the last instant of the month before, or mid-month
        referral.created_at = (start, start - tick, start + timedelta(days=9, hours=n))[n % 3]
        referral.status = statuses[n % 5]
        if n % 4 != 3:  # a contact after 0.3 to 30 days, or (n % 11 == 0) before the referral
            delay = timedelta(hours=7 * n + 7) * (-1 if n % 11 == 0 else 1)
            referral.first_contact_at = referral.created_at + delay
        if n % 9 == 0:
            referral.source_department_id = None
    now = today()
    lows = [low for low, _h, _l in statistics.AGE_BUCKETS] + [400]
    states = ["open", "paused", "closed"]
    for n, low in enumerate(lows * 3):
        referral = make_referral(desks[0])
        case = SupportCase(
            reference=f"C-T-{n}",
            status=states[n % 3],
            next_review_on=now + timedelta(days=(-1, 0, 5)[n % 3 - 1]),
            # the first instant of the day ``low`` days ago, or the last of the day after
            opened_at=clock.day_start(now - timedelta(days=low)) - (tick if n % 2 else -tick),
            closure_reason=(None, "moved", "resolved", "moved")[n % 4] if n % 3 == 2 else None,
        )
        _db.session.add(case)
        _db.session.flush()
        referral.case_id = case.id
        if n == 4:
            case.anonymised_at = clock.utcnow()
    _db.session.commit()
    return worker


def test_referrals_by_department_equal_a_row_by_row_count(office):
    span, rows, totals = statistics.referrals_by_department(12)
    expected = reference_by_department(12)
    assert sorted(r.counts for r in rows) == sorted(expected.values())
    assert totals == [sum(c[i] for c in expected.values()) for i in range(12)]
    # 7 of the 44 fall before the period (13 and 14 months ago, and the last instant of the
    # month before the first); the 18 cases' referrals are today's
    assert sum(totals) == 44 - 7 + 18


def test_time_to_first_contact_equals_a_row_by_row_count(office):
    got = [
        (r.year, r.month, r.referrals, r.contacted, r.median_days, r.mean_days)
        for r in statistics.time_to_first_contact(12)
    ]
    assert got == reference_first_contact(12)
    reached = [row for row in got if row[3]]
    assert any(row[3] % 2 == 0 for row in reached) and any(row[3] % 2 for row in reached)


def test_open_cases_by_age_and_closures_equal_a_row_by_row_count(office):
    assert statistics.open_cases_by_age() == reference_by_age()
    assert sum(n for _l, n, _o in statistics.open_cases_by_age()) == 12 - 1  # one anonymised
    assert statistics.closures_by_reason() == reference_closures()
    assert dict(statistics.closures_by_reason()) == {"moved": 3, "resolved": 2, None: 1}


def test_a_one_month_period(office):
    (contact,) = statistics.time_to_first_contact(1)
    assert contact == statistics.time_to_first_contact(12)[-1]
    span, _rows, totals = statistics.referrals_by_department(1)
    assert totals == statistics.referrals_by_department(12)[2][-1:]

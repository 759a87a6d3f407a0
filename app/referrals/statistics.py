"""Figures for the 相談室: referrals per source department per month, time to first
contact, open cases by age, closures by reason. Only codes, dates and ids are read, so
nothing is decrypted."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from sqlalchemy import select

from app.accounts.models import Department
from app.core import clock
from app.extensions import db
from app.referrals.models import CaseStatus, Referral, ReferralStatus, SupportCase
from app.referrals.service import today


def months_back(n: int, end: date | None = None) -> list[tuple[int, int]]:
    end = end or today()
    year, month = end.year, end.month
    out = []
    for _ in range(n):
        out.append((year, month))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


@dataclass
class DepartmentRow:
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def referrals_by_department(
    months: int = 12, locale: str = "ja"
) -> tuple[list[tuple[int, int]], list[DepartmentRow], list[int]]:
    """(month list, one row per source department, totals per month)."""
    span = months_back(months)
    index = {ym: i for i, ym in enumerate(span)}
    first = clock.day_start(date(span[0][0], span[0][1], 1))
    rows = db.session.execute(
        select(Referral.source_department_id, Referral.created_at).where(
            Referral.created_at >= first
        )
    ).all()
    per_department: dict[int | None, list[int]] = defaultdict(lambda: [0] * len(span))
    for department_id, created_at in rows:
        local = clock.local(created_at)
        position = index.get((local.year, local.month))
        if position is not None:
            per_department[department_id][position] += 1
    names = {
        d.id: d.display_name(locale)
        for d in db.session.scalars(
            select(Department).where(Department.id.in_([k for k in per_department if k]))
        )
    }
    table = [DepartmentRow(names.get(k, "—"), v) for k, v in per_department.items()]
    table.sort(key=lambda r: (-r.total, r.name))
    totals = [sum(r.counts[i] for r in table) for i in range(len(span))]
    return span, table, totals


@dataclass
class ContactRow:
    year: int
    month: int
    referrals: int
    contacted: int
    median_days: float | None
    mean_days: float | None


def time_to_first_contact(months: int = 12) -> list[ContactRow]:
    span = months_back(months)
    first = clock.day_start(date(span[0][0], span[0][1], 1))
    rows = db.session.execute(
        select(Referral.created_at, Referral.first_contact_at).where(
            Referral.created_at >= first,
            Referral.status.in_(
                (ReferralStatus.NEW, ReferralStatus.ACCEPTED, ReferralStatus.LINKED)
            ),
        )
    ).all()
    grouped: dict[tuple[int, int], list] = defaultdict(list)
    for created_at, contact_at in rows:
        local = clock.local(created_at)
        grouped[(local.year, local.month)].append(
            None
            if contact_at is None
            else max(0.0, (contact_at - created_at).total_seconds() / 86400)
        )
    out = []
    for year, month in span:
        values = grouped.get((year, month), [])
        days = [v for v in values if v is not None]
        out.append(
            ContactRow(
                year,
                month,
                len(values),
                len(days),
                round(median(days), 1) if days else None,
                round(sum(days) / len(days), 1) if days else None,
            )
        )
    return out


AGE_BUCKETS = [
    (0, 30, "<1"),
    (30, 91, "1-3"),
    (91, 182, "3-6"),
    (182, 365, "6-12"),
    (365, None, "12+"),
]


def open_cases_by_age() -> list[tuple[str, int, int]]:
    """(bucket, open or paused cases opened that long ago, of them past their review date)."""
    now = today()
    rows = db.session.execute(
        select(SupportCase.opened_at, SupportCase.next_review_on).where(
            SupportCase.status != CaseStatus.CLOSED, SupportCase.anonymised_at.is_(None)
        )
    ).all()
    counts, overdue = Counter(), Counter()
    for opened_at, review in rows:
        age = (now - clock.local_date(opened_at)).days
        for low, high, label in AGE_BUCKETS:
            if age >= low and (high is None or age < high):
                counts[label] += 1
                overdue[label] += review < now
                break
    return [(label, counts[label], overdue[label]) for _l, _h, label in AGE_BUCKETS]


def closures_by_reason() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(SupportCase.closure_reason).where(SupportCase.status == CaseStatus.CLOSED)
    ).scalars()
    counted = Counter(rows)
    return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0] or ""))


def bar_chart(labels: list[str], values: list[int], width: int = 640, height: int = 240) -> dict:
    """Geometry of a bar chart, drawn as SVG by the template (no script, no inline style)."""
    left, bottom, top = 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(values + [1])
    step = 1 if peak <= 5 else (2 if peak <= 10 else (5 if peak <= 25 else 10))
    ceiling = ((peak + step - 1) // step) * step
    slot = plot_w / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / ceiling
        bars.append(
            {
                "x": round(left + i * slot + slot * 0.15, 1),
                "y": round(top + plot_h - h, 1),
                "w": round(slot * 0.7, 1),
                "h": round(h, 1),
                "label": label,
                "value": value,
                "cx": round(left + i * slot + slot / 2, 1),
            }
        )
    ticks = [
        {"value": v, "y": round(top + plot_h - plot_h * v / ceiling, 1)}
        for v in range(0, ceiling + 1, step)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - 8,
        "base": top + plot_h,
        "bars": bars,
        "ticks": ticks,
        "label_y": height - 8,
    }

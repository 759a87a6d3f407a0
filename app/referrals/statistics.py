"""Figures for the 相談室: referrals per source department per month, time to first
contact, open cases by age, closures by reason. Only codes, dates and ids are read, so
nothing is decrypted.

Every figure is aggregated by the database (``GROUP BY`` over indexed columns, bounded to the
period shown): the page reads a few dozen numbers, not one row per referral. The city's months
and days become stored-time boundaries computed here, so the grouping follows the city's
calendar whatever the database's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Float, func, literal, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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


def _month_bounds(span: list[tuple[int, int]]) -> list:
    """The stored times at which each month of ``span`` begins, and the one after it ends."""
    year, month = span[-1]
    after = (year + 1, 1) if month == 12 else (year, month + 1)
    return [clock.day_start(date(y, m, 1)) for y, m in [*span, after]]


def _position(column, bounds: list):
    """SQL: the index of the interval of ``bounds`` that ``column`` falls in (the caller keeps
    ``bounds[0] <= column < bounds[-1]``). The newest interval is tested first: recent months
    hold the most rows."""
    last = len(bounds) - 2
    if last == 0:
        return literal(0)
    return sql_case(*[(column >= bounds[i], i) for i in range(last, 0, -1)], else_=0)


class days_between(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """``later - earlier`` in days, as a float (the dialects spell it differently)."""

    type = Float()
    inherit_cache = True


@compiles(days_between)
def _days_between(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 86400.0)"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@dataclass
class DepartmentRow:
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ContactRow:
    year: int
    month: int
    referrals: int
    contacted: int
    median_days: float | None
    mean_days: float | None


@dataclass
class ReferralFigures:
    span: list[tuple[int, int]]
    departments: list[DepartmentRow]
    totals: list[int]
    contact: list[ContactRow]


# Referrals the office kept (the others were redirected or were information only): the time to
# first contact is measured on these.
KEPT = (ReferralStatus.NEW, ReferralStatus.ACCEPTED, ReferralStatus.LINKED)


def _contact_days():
    """SQL: days from the referral to the first contact; a contact logged before counts as 0."""
    days = days_between(Referral.first_contact_at, Referral.created_at)
    return sql_case((days < 0, 0.0), else_=days)


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _contact_times(bounds: list) -> dict[int, tuple]:
    """Per month position, the (median, mean) days to first contact of the kept referrals
    reached: one pass over the reached ones only.

    The reached referrals of each month are numbered by their delay; the middle one (or the
    middle two) are those whose rank r has n <= 2r <= n + 2."""
    reached = (
        select(
            _position(Referral.created_at, bounds).label("position"),
            _contact_days().label("days"),
        )
        .where(
            Referral.created_at >= bounds[0],
            Referral.created_at < bounds[-1],
            Referral.status.in_(KEPT),
            Referral.first_contact_at.is_not(None),
        )
        .subquery()
    )
    # One window for the three (one sort): the whole month as the frame, ordered by delay.
    window = {
        "partition_by": reached.c.position,
        "order_by": reached.c.days,
        "rows": (None, None),
    }
    ranked = select(
        reached.c.position,
        reached.c.days,
        func.row_number().over(**window).label("rank"),
        func.count().over(**window).label("n"),
        func.avg(reached.c.days).over(**window).label("mean"),
    ).subquery()
    rows = db.session.execute(
        select(ranked.c.position, func.avg(ranked.c.days), func.max(ranked.c.mean))
        .where(ranked.c.rank * 2 >= ranked.c.n, ranked.c.rank * 2 <= ranked.c.n + 2)
        .group_by(ranked.c.position)
    ).all()
    return {position: (median_days, mean_days) for position, median_days, mean_days in rows}


def referral_figures(months: int = 12, locale: str = "ja") -> ReferralFigures:
    """Referrals of the last ``months`` city months: per source department and month, and the
    time to first contact per month. One pass over the period (index ``ix_referral_period``)
    counts all of it per department and month; a second ranks the reached ones for the median
    and the mean."""
    span = months_back(months)
    bounds = _month_bounds(span)
    kept = Referral.status.in_(KEPT)
    referrals = (
        select(
            Referral.source_department_id.label("department_id"),
            _position(Referral.created_at, bounds).label("position"),
            sql_case((kept, 1), else_=0).label("kept"),
            sql_case((kept & Referral.first_contact_at.is_not(None), 1), else_=0).label("reached"),
        )
        .where(Referral.created_at >= bounds[0], Referral.created_at < bounds[-1])
        .subquery()
    )
    rows = db.session.execute(
        select(
            referrals.c.department_id,
            referrals.c.position,
            func.count(),
            func.sum(referrals.c.kept),
            func.sum(referrals.c.reached),
        ).group_by(referrals.c.department_id, referrals.c.position)
    ).all()
    per_department: dict[int | None, list[int]] = {}
    kept_count, reached = [0] * len(span), [0] * len(span)
    for department_id, position, count, kept_n, reached_n in rows:
        per_department.setdefault(department_id, [0] * len(span))[position] = count
        kept_count[position] += int(kept_n or 0)
        reached[position] += int(reached_n or 0)
    names = {
        d.id: d.display_name(locale)
        for d in db.session.scalars(
            select(Department).where(Department.id.in_([k for k in per_department if k]))
        )
    }
    table = [DepartmentRow(names.get(k, "—"), v) for k, v in per_department.items()]
    table.sort(key=lambda r: (-r.total, r.name))
    totals = [sum(r.counts[i] for r in table) for i in range(len(span))]
    times = _contact_times(bounds)
    contact = [
        ContactRow(
            year, month, kept_count[i], reached[i], *map(_rounded, times.get(i, (None, None)))
        )
        for i, (year, month) in enumerate(span)
    ]
    return ReferralFigures(span, table, totals, contact)


def referrals_by_department(
    months: int = 12, locale: str = "ja"
) -> tuple[list[tuple[int, int]], list[DepartmentRow], list[int]]:
    """(month list, one row per source department, totals per month)."""
    figures = referral_figures(months, locale)
    return figures.span, figures.departments, figures.totals


def time_to_first_contact(months: int = 12) -> list[ContactRow]:
    """Per month referred: referrals kept by the office, of them reached, and the median and
    mean days to the first contact (a contact logged before the referral counts as 0 days)."""
    return referral_figures(months).contact


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
    # Opened at least ``low`` days ago (city dates) means opened before the start of the day
    # after ``now - low``.
    bounds = [clock.day_start(now - timedelta(days=low - 1)) for low, _high, _l in AGE_BUCKETS]
    bucket = sql_case(
        *[(SupportCase.opened_at >= bounds[i + 1], i) for i in range(len(bounds) - 1)],
        else_=len(bounds) - 1,
    )
    cases = (
        select(
            bucket.label("bucket"),
            sql_case((SupportCase.next_review_on < now, 1), else_=0).label("overdue"),
        )
        .where(
            SupportCase.status != CaseStatus.CLOSED,
            SupportCase.anonymised_at.is_(None),
            SupportCase.opened_at < bounds[0],
        )
        .subquery()
    )
    rows = db.session.execute(
        select(cases.c.bucket, func.count(), func.sum(cases.c.overdue)).group_by(cases.c.bucket)
    ).all()
    counts = {bucket: (count, int(overdue or 0)) for bucket, count, overdue in rows}
    return [(label, *counts.get(i, (0, 0))) for i, (_l, _h, label) in enumerate(AGE_BUCKETS)]


def closures_by_reason() -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(SupportCase.closure_reason, func.count())
        .where(SupportCase.status == CaseStatus.CLOSED)
        .group_by(SupportCase.closure_reason)
    ).all()
    return sorted(((reason, count) for reason, count in rows), key=lambda p: (-p[1], p[0] or ""))


def _tick_step(peak: int, most: int = 5) -> int:
    """The gridline step: 1, 2 or 5 times a power of ten, with at most ``most`` steps to the
    peak (a fixed step would draw hundreds of gridlines for a busy month)."""
    scale = 1
    while True:
        for step in (scale, 2 * scale, 5 * scale):
            if -(-peak // step) <= most:
                return step
        scale *= 10


def bar_chart(labels: list[str], values: list[int], width: int = 640, height: int = 240) -> dict:
    """Geometry of a bar chart, drawn as SVG by the template (no script, no inline style)."""
    left, bottom, top = 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(values + [1])
    step = _tick_step(peak)
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

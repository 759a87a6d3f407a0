"""和暦 (Japanese era) dates, the city's fiscal year (April–March) and its quarters.

One place for the era table and the fiscal-year arithmetic, so that screens, printouts and
exports all say 「令和8年12月3日」 and 「令和8年度」 the same way.

- Eras start on the day the new era took effect: 平成 on 1989-01-08 (1989-01-07 is 昭和64年),
  令和 on 2019-05-01 (2019-04-30 is 平成31年). The first year of an era is 元年.
- 明治 is counted from 1868-10-23 (慶応4年9月8日, the day of the 改元, in the Gregorian calendar).
  Earlier dates have no 和暦 here and are written in 西暦 (「1868年1月1日」).
- A fiscal year is named after the calendar year it starts in: 2026年度 runs 2026-04-01 to
  2027-03-31. Its 和暦 label takes the era as it stood at the end of that calendar year, which
  is how the government labelled the change-over years (2019年度 is 令和元年度, 1988年度 is
  昭和63年度, 1989年度 is 平成元年度).
- Quarters are fiscal quarters: 第1四半期 is April–June, 第4四半期 is January–March of the
  following calendar year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    romaji: str  # Reiwa
    letter: str  # R, as on forms (R8.12.3)
    start: date

    def year_of(self, d: date) -> int:
        return d.year - self.start.year + 1


# Newest first: era_of walks down until the date is on or after an era's first day.
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", "R", date(2019, 5, 1)),
    Era("平成", "Heisei", "H", date(1989, 1, 8)),
    Era("昭和", "Showa", "S", date(1926, 12, 25)),
    Era("大正", "Taisho", "T", date(1912, 7, 30)),
    Era("明治", "Meiji", "M", date(1868, 10, 23)),
)

FISCAL_YEAR_START_MONTH = 4
QUARTERS = (1, 2, 3, 4)
_ONE_DAY = timedelta(days=1)


def _as_date(value: date | datetime) -> date:
    """A datetime counts by its own calendar date (callers pass local, city-time values)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def era_of(value: date | datetime) -> Era | None:
    """The era in force on that day, or None before 明治."""
    d = _as_date(value)
    for era in ERAS:
        if d >= era.start:
            return era
    return None


def era_by_name(name: str) -> Era:
    for era in ERAS:
        if name in (era.name, era.romaji, era.letter):
            return era
    raise KeyError(name)


def era_year(value: date | datetime) -> tuple[Era, int] | None:
    """(era, year within the era) or None before 明治."""
    d = _as_date(value)
    era = era_of(d)
    if era is None:
        return None
    return era, era.year_of(d)


def year_number(n: int) -> str:
    """「元」 for the first year of an era, the number otherwise."""
    return "元" if n == 1 else str(n)


def wareki_year(value: date | datetime) -> str:
    """「令和8年」 (「1867年」 before 明治)."""
    d = _as_date(value)
    found = era_year(d)
    if found is None:
        return f"{d.year}年"
    era, n = found
    return f"{era.name}{year_number(n)}年"


def wareki_month(value: date | datetime) -> str:
    """「令和8年12月」."""
    d = _as_date(value)
    return f"{wareki_year(d)}{d.month}月"


def wareki_date(value: date | datetime | None) -> str:
    """「令和8年12月3日」, 「令和元年5月1日」; 西暦 before 明治; empty for None."""
    if value is None:
        return ""
    d = _as_date(value)
    return f"{wareki_year(d)}{d.month}月{d.day}日"


def wareki_short(value: date | datetime | None) -> str:
    """「R8.12.3」 as on printed forms; 西暦 「1867.1.1」 before 明治."""
    if value is None:
        return ""
    d = _as_date(value)
    found = era_year(d)
    if found is None:
        return f"{d.year}.{d.month}.{d.day}"
    era, n = found
    return f"{era.letter}{n}.{d.month}.{d.day}"


def parse_wareki_year(era_name: str, n: int) -> int:
    """The 西暦 year of 「令和8年」: parse_wareki_year("令和", 8) == 2026."""
    if n < 1:
        raise ValueError("era years start at 1")
    era = era_by_name(era_name)
    year = era.start.year + n - 1
    newer = ERAS.index(era)
    if newer > 0 and year > ERAS[newer - 1].start.year:
        raise ValueError(f"{era.name}{n}年 does not exist")
    return year


# --- fiscal year (April–March) ------------------------------------------------------------


def fiscal_year(value: date | datetime) -> int:
    """The fiscal year a day belongs to: 2027-03-31 → 2026, 2027-04-01 → 2027."""
    d = _as_date(value)
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_start(fy: int) -> date:
    return date(fy, FISCAL_YEAR_START_MONTH, 1)


def fiscal_year_end(fy: int) -> date:
    """The last day (inclusive): 3月31日 of the next calendar year."""
    return fiscal_year_start(fy + 1) - _ONE_DAY


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """[start, end) — the half-open range to filter on: start <= d < end."""
    return fiscal_year_start(fy), fiscal_year_start(fy + 1)


def fiscal_year_era(fy: int) -> tuple[Era, int] | None:
    """The era a fiscal year is labelled with: that of 12月31日 of the year it starts in."""
    return era_year(date(fy, 12, 31))


def fiscal_year_label(fy: int) -> str:
    """「令和8年度」 (2026), 「令和元年度」 (2019); 「1867年度」 before 明治."""
    found = fiscal_year_era(fy)
    if found is None:
        return f"{fy}年度"
    era, n = found
    return f"{era.name}{year_number(n)}年度"


def fiscal_year_label_both(fy: int) -> str:
    """「令和8年度（2026年度）」 for headings read by people used to either."""
    label = fiscal_year_label(fy)
    western = f"{fy}年度"
    return label if label == western else f"{label}（{western}）"


# --- fiscal quarters ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class FiscalQuarter:
    fy: int
    q: int  # 1 = April–June … 4 = January–March

    def __post_init__(self):
        if self.q not in QUARTERS:
            raise ValueError(f"quarter must be 1–4, not {self.q}")

    @property
    def start(self) -> date:
        month = FISCAL_YEAR_START_MONTH + 3 * (self.q - 1)
        year = self.fy + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter (exclusive)."""
        return self.shift(1).start

    @property
    def last_day(self) -> date:
        return self.end - _ONE_DAY

    def bounds(self) -> tuple[date, date]:
        return self.start, self.end

    def shift(self, n: int) -> FiscalQuarter:
        index = self.fy * 4 + (self.q - 1) + n
        return FiscalQuarter(index // 4, index % 4 + 1)

    def contains(self, value: date | datetime) -> bool:
        return self.start <= _as_date(value) < self.end

    @property
    def label(self) -> str:
        """「令和8年度 第1四半期」."""
        return f"{fiscal_year_label(self.fy)} 第{self.q}四半期"

    @property
    def short_label(self) -> str:
        """「R8 Q1」 for chart axes."""
        found = fiscal_year_era(self.fy)
        year = f"{found[0].letter}{found[1]}" if found else str(self.fy)
        return f"{year} Q{self.q}"

    @property
    def months(self) -> tuple[int, int, int]:
        first = self.start.month
        return tuple((first - 1 + i) % 12 + 1 for i in range(3))  # type: ignore[return-value]

    def __str__(self) -> str:
        return f"{self.fy}Q{self.q}"


def fiscal_quarter(value: date | datetime) -> FiscalQuarter:
    """The fiscal quarter a day falls in: 2027-03-31 → 2026Q4, 2027-04-01 → 2027Q1."""
    d = _as_date(value)
    fy = fiscal_year(d)
    q = (d.month - FISCAL_YEAR_START_MONTH) % 12 // 3 + 1
    return FiscalQuarter(fy, q)


def quarters_of(fy: int) -> list[FiscalQuarter]:
    return [FiscalQuarter(fy, q) for q in QUARTERS]


def quarters_between(first: FiscalQuarter, last: FiscalQuarter) -> list[FiscalQuarter]:
    """Every quarter from first to last, both included (empty if last is before first)."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = current.shift(1)
    return out


def quarter_label(fy: int, q: int) -> str:
    return FiscalQuarter(fy, q).label


# --- templates ------------------------------------------------------------------------------


def _filter_date(value):
    return wareki_date(value) if value is not None else ""


def _filter_fiscal_year(value):
    return fiscal_year_label(int(value)) if value is not None else ""


def _filter_quarter(value):
    if value is None:
        return ""
    if isinstance(value, FiscalQuarter):
        return value.label
    return fiscal_quarter(value).label


def register_filters(app) -> None:
    """Jinja filters: ``d|wareki`` 「令和8年12月3日」, ``d|wareki_year``, ``d|wareki_short``,
    ``fy|fiscal_year_label`` 「令和8年度」, ``fy|fiscal_year_label_both``, ``q|quarter_label``."""
    filters = app.jinja_env.filters
    filters["wareki"] = _filter_date
    filters["wareki_year"] = lambda v: wareki_year(v) if v is not None else ""
    filters["wareki_short"] = wareki_short
    filters["fiscal_year_label"] = _filter_fiscal_year
    filters["fiscal_year_label_both"] = lambda v: (
        fiscal_year_label_both(int(v)) if v is not None else ""
    )
    filters["quarter_label"] = _filter_quarter

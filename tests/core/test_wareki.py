"""和暦 dates, fiscal years (April–March) and fiscal quarters, boundaries included."""

from datetime import date, datetime, timedelta

import pytest
from flask import render_template_string

from app.core import wareki
from app.core.wareki import (
    FiscalQuarter,
    era_of,
    era_year,
    fiscal_quarter,
    fiscal_year,
    fiscal_year_bounds,
    fiscal_year_end,
    fiscal_year_label,
    fiscal_year_label_both,
    fiscal_year_start,
    parse_wareki_year,
    quarter_label,
    quarters_between,
    quarters_of,
    wareki_date,
    wareki_month,
    wareki_short,
    wareki_year,
)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 12, 3), "令和8年12月3日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1988, 12, 31), "昭和63年12月31日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1926, 12, 24), "大正15年12月24日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1912, 7, 29), "明治45年7月29日"),
        (date(1868, 10, 23), "明治元年10月23日"),
        (date(1873, 1, 1), "明治6年1月1日"),
        (date(1868, 10, 22), "1868年10月22日"),
        (date(1600, 1, 1), "1600年1月1日"),
        (date(2099, 12, 31), "令和81年12月31日"),
    ],
)
def test_wareki_date(d, expected):
    assert wareki_date(d) == expected


def test_wareki_date_takes_a_datetime_by_its_calendar_day_and_none_as_empty():
    assert wareki_date(datetime(2019, 4, 30, 23, 59)) == "平成31年4月30日"
    assert wareki_date(datetime(2019, 5, 1, 0, 0)) == "令和元年5月1日"
    assert wareki_date(None) == ""
    with pytest.raises(TypeError):
        wareki_date("2026-12-03")


def test_era_of_at_every_boundary():
    for era in wareki.ERAS:
        assert era_of(era.start) is era
        before = era_of(era.start - timedelta(days=1))
        assert before is not era
    assert era_of(date(1868, 10, 22)) is None
    assert era_of(date(2019, 5, 1)).name == "令和"
    assert era_of(date(2019, 4, 30)).name == "平成"
    assert era_of(date(1989, 1, 8)).name == "平成"
    assert era_of(date(1989, 1, 7)).name == "昭和"
    assert era_year(date(2026, 4, 1)) == (wareki.era_by_name("令和"), 8)
    assert era_year(date(1800, 1, 1)) is None


def test_year_month_and_short_forms():
    assert wareki_year(date(2026, 12, 3)) == "令和8年"
    assert wareki_year(date(2019, 5, 1)) == "令和元年"
    assert wareki_year(date(1867, 1, 1)) == "1867年"
    assert wareki_month(date(2026, 12, 3)) == "令和8年12月"
    assert wareki_short(date(2026, 12, 3)) == "R8.12.3"
    assert wareki_short(date(2019, 4, 30)) == "H31.4.30"
    assert wareki_short(date(1989, 1, 7)) == "S64.1.7"
    assert wareki_short(date(1850, 2, 3)) == "1850.2.3"
    assert wareki_short(None) == ""


def test_parse_wareki_year_round_trips_and_rejects_years_that_never_were():
    assert parse_wareki_year("令和", 8) == 2026
    assert parse_wareki_year("R", 1) == 2019
    assert parse_wareki_year("平成", 31) == 2019
    assert parse_wareki_year("Showa", 64) == 1989
    with pytest.raises(ValueError):
        parse_wareki_year("平成", 32)
    with pytest.raises(ValueError):
        parse_wareki_year("令和", 0)
    with pytest.raises(KeyError):
        parse_wareki_year("慶応", 3)


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2027, 3, 31), 2026),
        (date(2027, 4, 1), 2027),
        (date(2026, 4, 1), 2026),
        (date(2026, 3, 31), 2025),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (datetime(2027, 3, 31, 23, 59, 59), 2026),
    ],
)
def test_fiscal_year_turns_on_april_first(d, fy):
    assert fiscal_year(d) == fy


def test_fiscal_year_bounds():
    assert fiscal_year_start(2026) == date(2026, 4, 1)
    assert fiscal_year_end(2026) == date(2027, 3, 31)
    assert fiscal_year_bounds(2026) == (date(2026, 4, 1), date(2027, 4, 1))
    start, end = fiscal_year_bounds(2026)
    assert fiscal_year(start) == 2026 and fiscal_year(end) == 2027


@pytest.mark.parametrize(
    ("fy", "label"),
    [
        (2026, "令和8年度"),
        (2019, "令和元年度"),  # as the government labelled it, though it began in 平成31年
        (2018, "平成30年度"),
        (1989, "平成元年度"),
        (1988, "昭和63年度"),
        (1926, "昭和元年度"),
        (1925, "大正14年度"),
        (1867, "1867年度"),
    ],
)
def test_fiscal_year_label(fy, label):
    assert fiscal_year_label(fy) == label


def test_fiscal_year_label_both():
    assert fiscal_year_label_both(2026) == "令和8年度（2026年度）"
    assert fiscal_year_label_both(1867) == "1867年度"


@pytest.mark.parametrize(
    ("d", "fy", "q"),
    [
        (date(2026, 4, 1), 2026, 1),
        (date(2026, 6, 30), 2026, 1),
        (date(2026, 7, 1), 2026, 2),
        (date(2026, 9, 30), 2026, 2),
        (date(2026, 10, 1), 2026, 3),
        (date(2026, 12, 31), 2026, 3),
        (date(2027, 1, 1), 2026, 4),
        (date(2027, 3, 31), 2026, 4),
        (date(2027, 4, 1), 2027, 1),
    ],
)
def test_fiscal_quarter(d, fy, q):
    assert fiscal_quarter(d) == FiscalQuarter(fy, q)
    assert fiscal_quarter(d).contains(d)


def test_quarter_bounds_labels_and_shifts():
    q4 = FiscalQuarter(2026, 4)
    assert q4.bounds() == (date(2027, 1, 1), date(2027, 4, 1))
    assert q4.last_day == date(2027, 3, 31)
    assert q4.months == (1, 2, 3)
    assert FiscalQuarter(2026, 1).months == (4, 5, 6)
    assert FiscalQuarter(2026, 3).bounds() == (date(2026, 10, 1), date(2027, 1, 1))
    assert q4.label == "令和8年度 第4四半期"
    assert quarter_label(2019, 1) == "令和元年度 第1四半期"
    assert q4.short_label == "R8 Q4"
    assert q4.shift(1) == FiscalQuarter(2027, 1)
    assert FiscalQuarter(2027, 1).shift(-1) == q4
    assert FiscalQuarter(2026, 2).shift(-6) == FiscalQuarter(2024, 4)
    assert not q4.contains(date(2027, 4, 1))
    assert str(q4) == "2026Q4"
    assert FiscalQuarter(2026, 1) < FiscalQuarter(2026, 2) < FiscalQuarter(2027, 1)
    with pytest.raises(ValueError):
        FiscalQuarter(2026, 5)


def test_quarters_of_and_between_cover_the_year_without_gaps():
    quarters = quarters_of(2026)
    assert [q.q for q in quarters] == [1, 2, 3, 4]
    assert quarters[0].start == fiscal_year_start(2026)
    assert quarters[-1].end == fiscal_year_start(2027)
    for a, b in zip(quarters, quarters[1:], strict=False):
        assert a.end == b.start
    span = quarters_between(FiscalQuarter(2025, 3), FiscalQuarter(2026, 2))
    assert [str(q) for q in span] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    assert quarters_between(FiscalQuarter(2026, 2), FiscalQuarter(2025, 1)) == []


def test_every_day_of_a_fiscal_year_is_in_exactly_one_of_its_quarters():
    d = date(2027, 4, 1)
    quarters = quarters_of(2027)
    while d < date(2028, 4, 1):  # 2028 is a leap year: 2/29 is in Q4
        assert sum(q.contains(d) for q in quarters) == 1
        assert fiscal_quarter(d) in quarters
        d += timedelta(days=1)


def test_jinja_filters(app):
    with app.test_request_context():
        out = render_template_string(
            "{{ d|wareki }}|{{ d|wareki_year }}|{{ d|wareki_short }}|{{ fy|fiscal_year_label }}|"
            "{{ fy|fiscal_year_label_both }}|{{ q|quarter_label }}|{{ d|quarter_label }}|{{ none|wareki }}",
            d=date(2019, 5, 1),
            fy=2026,
            q=FiscalQuarter(2026, 4),
            none=None,
        )
    assert out == (
        "令和元年5月1日|令和元年|R1.5.1|令和8年度|令和8年度（2026年度）|令和8年度 第4四半期|"
        "令和元年度 第1四半期|"
    )

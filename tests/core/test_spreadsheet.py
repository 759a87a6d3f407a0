"""Text a spreadsheet would run as a formula is written with an apostrophe in front."""

from datetime import date

import pytest

from app.core.spreadsheet import safe_cell, safe_row


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_starts_are_neutralised(text):
    assert safe_cell(text) == "'" + text


def test_other_values_are_unchanged():
    assert safe_row(["税務 太郎", "a=b", 10, -3, 0.5, None, date(2027, 4, 1), ""]) == [
        "税務 太郎",
        "a=b",
        10,
        -3,
        0.5,
        None,
        date(2027, 4, 1),
        "",
    ]

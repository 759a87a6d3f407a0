"""Cells for CSV and XLSX files that staff open in Excel: text is never run as a formula.

A value such as ``=HYPERLINK("http://x","y")`` in a roster name or a content file would
otherwise become a live formula in the spreadsheet (CSV injection). Text starting with a
character that spreadsheets read as the start of a formula gets an apostrophe in front.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged, unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]

"""The fiscal-year report as an XLSX workbook: one sheet per table, the same numbers as the page.

Every text cell goes through ``safe_row`` so nothing is read as a formula; numbers stay numbers.
"""

from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.spreadsheet import safe_row
from app.core.wareki import wareki_date
from app.programme.service import FiscalYearReport

INVALID_SHEET_CHARACTERS = str.maketrans({c: " " for c in "[]:*?/\\"})


def heading(report: FiscalYearReport) -> str:
    title = _(
        "%(year)s: figures of the multi-layered support programme (重層的支援体制整備事業)",
        year=report.label,
    )
    if report.complete:
        return title
    return title + " " + _("(as of %(day)s)", day=wareki_date(report.as_of))


def to_xlsx(report: FiscalYearReport, city_name: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in report.tables:
        sheet = workbook.create_sheet(table.sheet.translate(INVALID_SHEET_CHARACTERS)[:31])
        sheet.append(safe_row([f"{city_name} {heading(report)}"]))
        sheet.append(safe_row([table.title]))
        sheet.append(safe_row(table.header))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(safe_row(row))
        if table.footer:
            sheet.append(safe_row(table.footer))
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        if table.note:
            sheet.append([])
            sheet.append(safe_row([table.note]))
        sheet["A1"].font = Font(bold=True)
        for index, title in enumerate(table.header, start=1):
            width = max([len(str(title))] + [len(str(r[index - 1])) for r in table.rows]) * 2 + 2
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)
        sheet.freeze_panes = "A4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

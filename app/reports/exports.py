"""CSV (UTF-8 with BOM, so that Excel opens Japanese correctly) and XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core import clock
from app.core.i18n import official_date
from app.core.spreadsheet import safe_row
from app.reports.service import Matrix


def matrix_table(matrix: Matrix, locale: str = "ja") -> tuple[list[str], list[list]]:
    """One row per department × course (easy to pivot in Excel), 部 rows rolled up."""
    header = [
        _("Division (部)"),
        _("Section (課)"),
        _("Course"),
        _("Staff required"),
        _("Completed"),
        _("In progress"),
        _("Not started"),
        _("Overdue"),
        _("Completion rate (%)"),
    ]
    rows = []
    division_name = ""
    for row in matrix.rows:
        if row.level == "division":
            division_name = row.department.display_name(locale)
            section_name = _("(division total)")
        else:
            section_name = row.department.display_name(locale)
        for course in matrix.courses:
            cell = row.cells[course.id]
            rows.append(
                [
                    division_name,
                    section_name,
                    course.title(locale),
                    cell.total,
                    cell.completed,
                    cell.in_progress,
                    cell.not_started,
                    cell.overdue,
                    cell.percent if cell.percent is not None else "",
                ]
            )
    for course in matrix.courses:
        cell = matrix.grand_total[course.id]
        rows.append(
            [
                _("All departments"),
                "",
                course.title(locale),
                cell.total,
                cell.completed,
                cell.in_progress,
                cell.not_started,
                cell.overdue,
                cell.percent if cell.percent is not None else "",
            ]
        )
    return header, rows


def overdue_table(
    records, departments, on: date, locale: str = "ja"
) -> tuple[list[str], list[list]]:
    by_id = {d.id: d for d in departments}
    header = [
        _("Staff number"),
        _("Name"),
        _("Division (部)"),
        _("Section (課)"),
        _("Course"),
        _("Due date"),
        _("Days overdue"),
        _("Progress (%)"),
        _("E-mail"),
    ]
    rows = []
    for assignment, employee in records:
        department = by_id.get(employee.department_id)
        parent = by_id.get(department.parent_id) if department and department.parent_id else None
        rows.append(
            [
                employee.staff_number,
                employee.name,
                parent.display_name(locale)
                if parent
                else (department.display_name(locale) if department else ""),
                department.display_name(locale) if department and parent else "",
                assignment.course.title(locale),
                assignment.due_on,
                (on - assignment.due_on).days,
                round(100 * (assignment.progress or 0)),
                employee.email or "",
            ]
        )
    return header, rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(v.isoformat() if isinstance(v, date) else v for v in row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheet_title: str, header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append(safe_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # openpyxl stores text starting with "=" as a formula; after safe_row none does.
        sheet.append(safe_row(row))
    for index, title in enumerate(header, start=1):
        width = max([len(str(title))] + [len(str(r[index - 1])) for r in rows[:500]]) * 2 + 2
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)
        if any(isinstance(r[index - 1], date) for r in rows[:1]):
            for cells in sheet.iter_cols(min_col=index, max_col=index, min_row=2):
                for cell in cells:
                    cell.number_format = "yyyy/mm/dd"
    sheet.freeze_panes = "A2"
    # The printed page says what it is and when it was made, as the city dates its documents;
    # the cells keep 西暦 dates for whatever reads them.
    sheet.oddHeader.center.text = sheet_title
    sheet.oddHeader.right.text = _("Made on %(day)s", day=official_date(clock.today()))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

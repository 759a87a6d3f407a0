"""Reading the personnel system's roster CSV (UTF-8 with or without BOM, or Shift_JIS/CP932).

Parsing never touches the database: it returns rows and a list of errors, each with the row
number as Excel shows it (the header is row 1), the column and the reason.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import gettext as _

COLUMNS = {
    "職員番号": "staff_number",
    "氏名": "name",
    "氏名カナ": "name_kana",
    "所属コード": "department_code",
    "所属名": "department_name",
    "役職": "position",
    "メール": "email",
}
REQUIRED_COLUMNS = ("職員番号", "氏名", "氏名カナ", "所属コード")
MAX_ROWS = 100_000

STAFF_NUMBER_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
KANA_RE = re.compile(r"^[\u30A1-\u30FA\u30FC\u30FB\u3000 ]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class RosterRow:
    row: int
    staff_number: str
    name: str
    name_kana: str
    department_code: str
    department_name: str = ""
    position: str = ""
    email: str = ""


@dataclass
class RosterError:
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(row)d", row=self.row))
        if self.column:
            where.append(self.column)
        prefix = " ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RosterError] = field(default_factory=list)
    encoding: str | None = None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 is tried first: CP932 bytes rarely decode as UTF-8."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("roster", data[:1], 0, 1, "neither UTF-8 nor CP932")


def _clean(value: str | None) -> str:
    # NFKC turns half-width katakana and full-width digits, as Excel often writes them,
    # into their usual forms; surrounding spaces of either width go.
    return unicodedata.normalize("NFKC", value or "").strip()


def _clean_kana(value: str | None) -> str:
    text = _clean(value)
    # NFKC maps the ideographic space to an ASCII one; keep a single space between names.
    return re.sub(r"\s+", " ", text)


def parse(data: bytes) -> ParsedRoster:
    result = ParsedRoster()
    if not data.strip():
        result.errors.append(RosterError(None, None, _("The file is empty.")))
        return result
    try:
        text, result.encoding = decode(data)
    except UnicodeDecodeError:
        result.errors.append(
            RosterError(
                None,
                None,
                _(
                    "The file is neither UTF-8 nor Shift_JIS (CP932). Save it from Excel as “CSV (comma delimited)” and try again."
                ),
            )
        )
        return result
    if "\x00" in text:
        result.errors.append(RosterError(None, None, _("This is not a CSV file.")))
        return result

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        result.errors.append(RosterError(None, None, _("The file has no header row.")))
        return result
    header = [_clean(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        result.errors.append(
            RosterError(
                1,
                None,
                _(
                    "Required columns are missing: %(columns)s. The header row must contain %(expected)s.",
                    columns="、".join(missing),
                    expected="、".join(COLUMNS),
                ),
            )
        )
        return result
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        result.errors.append(
            RosterError(
                1, None, _("Columns appear twice: %(columns)s.", columns="、".join(duplicates))
            )
        )
        return result
    index = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}

    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            if not any(c.strip() for c in cells):
                continue  # Excel leaves blank lines at the end
            if row_number > MAX_ROWS:
                result.errors.append(
                    RosterError(row_number, None, _("The file has too many rows."))
                )
                break
            values = {key: (cells[i] if i < len(cells) else "") for key, i in index.items()}
            row = RosterRow(
                row=row_number,
                staff_number=_clean(values.get("staff_number")),
                name=re.sub(r"\s+", " ", _clean(values.get("name"))),
                name_kana=_clean_kana(values.get("name_kana")),
                department_code=_clean(values.get("department_code")),
                department_name=_clean(values.get("department_name")),
                position=_clean(values.get("position")),
                email=_clean(values.get("email")).lower(),
            )
            errors = _validate(row, seen_numbers, seen_emails)
            result.errors.extend(errors)
            if not errors:
                result.rows.append(row)
    except csv.Error as exc:
        result.errors.append(
            RosterError(
                row_number, None, _("The CSV could not be read here (%(reason)s).", reason=str(exc))
            )
        )
    if not result.rows and not result.errors:
        result.errors.append(RosterError(None, None, _("The file has no employee rows.")))
    return result


def _validate(row: RosterRow, seen_numbers: dict, seen_emails: dict) -> list[RosterError]:
    errors = []
    if not row.staff_number:
        errors.append(RosterError(row.row, "職員番号", _("is empty.")))
    elif not STAFF_NUMBER_RE.match(row.staff_number):
        errors.append(
            RosterError(
                row.row, "職員番号", _("may contain only letters, digits, “-” and “_” (up to 32).")
            )
        )
    elif row.staff_number in seen_numbers:
        errors.append(
            RosterError(
                row.row,
                "職員番号",
                _(
                    "%(number)s already appears in row %(other)d.",
                    number=row.staff_number,
                    other=seen_numbers[row.staff_number],
                ),
            )
        )
    else:
        seen_numbers[row.staff_number] = row.row
    if not row.name:
        errors.append(RosterError(row.row, "氏名", _("is empty.")))
    elif len(row.name) > 100:
        errors.append(RosterError(row.row, "氏名", _("is longer than 100 characters.")))
    if not row.name_kana:
        errors.append(RosterError(row.row, "氏名カナ", _("is empty.")))
    elif not KANA_RE.match(row.name_kana):
        errors.append(RosterError(row.row, "氏名カナ", _("must be written in katakana.")))
    if not row.department_code:
        errors.append(RosterError(row.row, "所属コード", _("is empty.")))
    elif len(row.department_code) > 32:
        errors.append(RosterError(row.row, "所属コード", _("is longer than 32 characters.")))
    if row.email:
        if not EMAIL_RE.match(row.email) or len(row.email) > 254:
            errors.append(RosterError(row.row, "メール", _("is not an e-mail address.")))
        elif row.email in seen_emails:
            errors.append(
                RosterError(
                    row.row,
                    "メール",
                    _(
                        "%(email)s already appears in row %(other)d.",
                        email=row.email,
                        other=seen_emails[row.email],
                    ),
                )
            )
        else:
            seen_emails[row.email] = row.row
    return errors

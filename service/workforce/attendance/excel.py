"""The monthly attendance sheet: a template to fill in, and reading it back.

The template lists the month's workers with their ID numbers and any figures
already entered, so a clerk fills it in (or edits it) and uploads it again.
Headers are written in the reader's language and accepted in either.  Every
row is checked before anything is written (``attendance.actions.import_month``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.errors import N_, DomainError
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.workforce.attendance.rules import FIELDS, AttendanceErrors, AttendanceFigures, is_blank, parse_figures
from service.workforce.daily_models import AttendanceMonth
from service.workforce.identity import parse_national_id
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker

HEADERS = {
    "name": N_("Name"),
    "id_number": N_("ID number"),
    "days_worked": N_("Days worked"),
    "absence_days": N_("Days absent"),
    "overtime_weekday_hours": N_("Weekday overtime hours"),
    "overtime_rest_day_hours": N_("Rest-day overtime hours"),
    "overtime_holiday_hours": N_("Holiday overtime hours"),
}
COLUMNS = ("name", "id_number", *FIELDS)


@dataclass(frozen=True)
class SheetEntry:
    row: int
    name: str
    id_number: str
    figures: AttendanceFigures


def _header_lookup() -> dict[str, str]:
    return {translator(locale)(msgid): field for locale in LOCALES for field, msgid in HEADERS.items()}


def template_workbook(
    rows: list[tuple[Worker, AttendanceMonth | None]],
    reveal,
    t: Translator,
    month: date,
) -> bytes:
    """``reveal(worker)`` gives the full ID number (only editors download the template)."""

    def figures(row: AttendanceMonth | None) -> list[object]:
        return ["" if row is None else getattr(row, f) for f in FIELDS]  # Decimal: openpyxl writes numbers

    return write_rows(
        t(N_("Attendance {month}"), month=month.isoformat()[:7]),
        [t(HEADERS[c]) for c in COLUMNS],
        ([w.name, reveal(w), *figures(row)] for w, row in rows),
    )


def _id_number(value: object) -> str:
    if isinstance(value, (int, float)):
        raise DomainError(N_("Type the ID number as text: as a number Excel loses its last digits."), field="id_number")
    return parse_national_id(str(value or "").strip()).number


def check_workbook(data: bytes, t: Translator, month: date) -> tuple[list[SheetEntry], list[RowError]]:
    """The rows that passed and the problems (row, column, reason) of those that did not.

    A row with no figures at all is skipped: the template lists every worker
    of the month, and those left blank keep what they have."""
    names = {f: t(msgid) for f, msgid in HEADERS.items()}
    try:
        rows = read_rows(data, _header_lookup(), names)
    except DomainError as error:
        return [], [RowError(1, "", t.error(error))]
    entries: list[SheetEntry] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        if is_blank(row.values):
            continue  # a worker the clerk has no figures for (yet): left as it is
        problems: list[DomainError] = []
        number = ""
        try:
            number = _id_number(row.values.get("id_number"))
        except DomainError as error:
            problems.append(error)
        raw_name = row.values.get("name")
        name = str(raw_name).strip() if raw_name is not None else ""
        try:
            figures = parse_figures(row.values, month)
        except AttendanceErrors as refused:
            problems.extend(refused.errors)
            figures = None
        if number and number in first_seen:
            problems.append(
                DomainError(N_("The same ID number is already on row {row}."), field="id_number", row=first_seen[number])
            )
        elif number:
            first_seen[number] = row.number
        if problems:
            errors.extend(RowError(row.number, names.get(p.field or "", ""), t.error(p)) for p in problems)
        elif figures is not None:
            entries.append(SheetEntry(row.number, name, number, figures))
    if not entries and not errors:
        errors.append(RowError(1, "", t(N_("The sheet has no rows of figures."))))
    return entries, errors


def parse_workbook(data: bytes, t: Translator, month: date) -> list[SheetEntry]:
    """Every row checked; raise ImportRefused listing each problem."""
    entries, errors = check_workbook(data, t, month)
    if errors:
        raise ImportRefused(errors)
    return entries

"""The roster's Excel export and import.

The export's columns are the import's columns, so a clerk can export, edit
and re-import.  Headers and values are written in the reader's language and
accepted in either language.  Import is all or nothing: every row is checked
first, and a single bad row means nothing is written.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from service.bureaus.directory import AssignmentErrors, Assignments
from service.cities.names import CITY_NAMES
from service.errors import N_, DomainError
from service.excel import SheetRow, read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import LABELS, Worker
from service.workforce.roster.input import FIELDS, OPTIONAL_FIELDS, WorkerInput, WorkerInputErrors, parse_worker

HEADERS = {
    "name": N_("Name"),
    "id_number": N_("ID number"),
    "phone": N_("Phone"),
    "education": N_("Education"),
    "hire_date": N_("Hire date"),
    "status": N_("Status"),
    "post_line": N_("Post line"),
    "client_bureau": N_("Client bureau"),
    "unit": N_("Unit"),
    "grade": N_("Grade"),
    "city": N_("City"),
    "si_registered_on": N_("Social insurance registered on"),
}


def _all_languages() -> list[Translator]:
    return [translator(locale) for locale in LOCALES]


def _header_lookup() -> dict[str, str]:
    return {t(msgid): field for t in _all_languages() for field, msgid in HEADERS.items()}


def _label_lookup() -> dict[str, Enum]:
    return {t(msgid): member for t in _all_languages() for member, msgid in LABELS.items()}


def _city_lookup() -> dict[str, str]:
    return {t(msgid): code for t in _all_languages() for code, msgid in CITY_NAMES.items()}


def export_workbook(workers: list[Worker], t: Translator, reveal) -> bytes:
    """``reveal(worker)`` gives the ID number as the reader may see it."""
    rows = (
        [
            w.name,
            reveal(w),
            w.phone or "",
            t(LABELS[w.education]),
            w.hire_date.isoformat(),
            t(LABELS[w.status]),
            w.post_line,
            w.client_bureau,
            w.unit,
            w.grade,
            t(CITY_NAMES[w.city]) if w.city in CITY_NAMES else (w.city or ""),
            w.si_registered_on.isoformat() if w.si_registered_on else "",
        ]
        for w in workers
    )
    return write_rows(t(N_("Roster")), [t(HEADERS[f]) for f in FIELDS], rows)


def parse_workbook(data: bytes, t: Translator, today: date, assignments: Assignments | None = None) -> list[WorkerInput]:
    """Check every row; raise ImportRefused listing each problem (row, column, reason).

    ``assignments`` (the tenant's bureaus and units by name): a row naming a
    bureau or unit that is not recorded is an error; nothing is created.
    """
    try:
        rows = read_rows(data, _header_lookup(), {f: t(msgid) for f, msgid in HEADERS.items()}, OPTIONAL_FIELDS)
    except DomainError as error:
        raise ImportRefused([RowError(1, "", t.error(error))]) from error
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no worker rows.")))])
    labels, cities = _label_lookup(), _city_lookup()
    parsed: list[WorkerInput] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for row in rows:
        try:
            worker = parse_worker(row.values, today=today, labels=labels, city_labels=cities)
        except WorkerInputErrors as problems:
            errors.extend(_row_errors(row, problems, t))
            continue
        if assignments is not None:
            try:
                assignments.resolve(worker.client_bureau, worker.unit)
            except AssignmentErrors as problems:
                errors.extend(_row_errors(row, problems, t))
                continue
        number = worker.national_id.number
        if number in first_seen:
            message = t(N_("The same ID number is already on row {row}."), row=first_seen[number])
            errors.append(RowError(row.number, t(HEADERS["id_number"]), message))
            continue
        first_seen[number] = row.number
        parsed.append(worker)
    if errors:
        raise ImportRefused(errors)
    return parsed


def _row_errors(row: SheetRow, problems: WorkerInputErrors | AssignmentErrors, t: Translator) -> list[RowError]:
    return [
        RowError(row.number, t(HEADERS.get(e.field or "", "")) if e.field in HEADERS else "", t.error(e))
        for e in problems.errors
    ]

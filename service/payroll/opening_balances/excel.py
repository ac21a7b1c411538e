"""Importing opening balances from Excel: all or nothing, with row-numbered errors.

One row per worker and tax year, named by the ID number (and the name, as a
check that the number was not mistyped into another worker's), with the month
the balance is as of and the year-to-date figures of the previous payroll
system, read by the same ``rules.parse_balance`` as the form.  Then, against
the roster and the payslips published here: a known worker, at most one row
per worker and year, and an as-of month before every month already published
here for the worker that year (a month paid here cannot also be in the
balance).  A row for a worker and year that has a balance replaces it, so a
corrected sheet is imported again.

The template's headers are Chinese whatever the reader's language: they are
the terms of the withholding return (累计收入额, 累计已预扣预缴税额 ...), which
the previous system's export uses too.  Headers in any of the app's languages
are accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from service.database.ids import id_of
from service.errors import N_, DomainError, InputErrors
from service.excel import read_rows, write_rows
from service.i18n import DEFAULT_LOCALE, LOCALES, Translator, translator
from service.payroll.opening_balances.rules import FIELDS, LABELS, parse_balance, published_problem
from service.payroll.tax.income_tax import OpeningBalance
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker
from service.workforce.roster.input import _id_number, _text

HEADERS = {"id_number": N_("ID number"), "name": N_("Name"), **LABELS}
OPTIONAL_FIELDS = frozenset({"name"})


@dataclass(frozen=True)
class BalanceRow:
    number: int  # as Excel shows it
    id_number: str
    name: str
    balance: OpeningBalance


def _header_lookup() -> dict[str, str]:
    return {translator(locale)(msgid): field for locale in LOCALES for field, msgid in HEADERS.items()}


def _column(field: str | None, t: Translator) -> str:
    return t(HEADERS[field]) if field in HEADERS else ""


def template_workbook() -> bytes:
    zh = translator(DEFAULT_LOCALE)
    return write_rows(zh(N_("Opening balances")), [zh(msgid) for msgid in HEADERS.values()], [])


def read_sheet(data: bytes, t: Translator, today: date) -> tuple[list[BalanceRow], list[RowError]]:
    """The rows that read, and the problems of the others (a row's every problem, each in its column).
    Raises ImportRefused only when the sheet itself cannot be read or has no rows."""
    try:
        rows = read_rows(data, _header_lookup(), {f: t(msgid) for f, msgid in HEADERS.items()}, OPTIONAL_FIELDS)
    except DomainError as error:
        raise ImportRefused([RowError(1, "", t.error(error))]) from error
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no rows of figures.")))])
    parsed: list[BalanceRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, int], int] = {}
    for row in rows:
        problems: list[DomainError] = []
        number = ""
        try:
            number = _id_number(row.values.get("id_number"), today).number
        except DomainError as error:
            problems.append(error)
        balance = None
        try:
            balance = parse_balance({f: row.values.get(f) for f in FIELDS})
        except InputErrors as invalid:
            problems.extend(invalid.errors)
        if number and balance is not None:
            key = (number, balance.year)
            if key in first_seen:
                message = N_("The same worker and tax year are already on row {row}.")
                problems.append(DomainError(message, field="id_number", row=first_seen[key]))
            else:
                first_seen[key] = row.number
        if problems:
            errors.extend(RowError(row.number, _column(p.field, t), t.error(p)) for p in problems)
        elif balance is not None:
            parsed.append(BalanceRow(row.number, number, _text(row.values.get("name")), balance))
    return parsed, errors


def plan_import(
    rows: Sequence[BalanceRow],
    workers: Mapping[str, Worker],
    first_published: Mapping[tuple[int, int], int],
    t: Translator,
    earlier_errors: Sequence[RowError] = (),
) -> list[tuple[int, OpeningBalance]]:
    """Each row's worker id and balance; raise ImportRefused with these problems and ``earlier_errors``.

    ``workers`` maps ID numbers to workers; ``first_published`` maps (worker id, year) to the first
    month of that year with a payslip published here.
    """
    errors: list[RowError] = list(earlier_errors)
    planned: list[tuple[int, OpeningBalance]] = []
    for row in rows:
        worker = workers.get(row.id_number)
        if worker is None:
            errors.append(
                RowError(row.number, _column("id_number", t), t(N_("No worker with this ID number is in the roster.")))
            )
            continue
        if row.name and row.name != worker.name:
            message = t(N_("This ID number belongs to {name} in the roster."), name=worker.name)
            errors.append(RowError(row.number, _column("name", t), message))
            continue
        worker_id = id_of(worker)
        problem = published_problem(row.balance, first_published.get((worker_id, row.balance.year)))
        if problem is not None:
            errors.append(RowError(row.number, _column(problem.field, t), t.error(problem)))
            continue
        planned.append((worker_id, row.balance))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    return planned

"""Excel sheets of assessment: the rule catalogue and a third party's score sheet.

Both imports are all or nothing: every row is checked first; one bad row
(row, column, reason) means nothing is written.  They refuse a sheet as
every sheet import does (``ImportRefused``), which is also what the item
import's job stores for its page.  Headers are accepted in either language;
the templates are written in the reader's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from service.assessment.inputs import ITEM_FIELDS, ItemInput, parse_item, parse_score, text_of
from service.assessment.models import CATEGORY_LABELS
from service.assessment.scoring import Category
from service.database.ids import id_of
from service.errors import N_, DomainError, InputErrors
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.web.forms import whole_number
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker

ITEM_HEADERS = {
    "code": N_("Code"),
    "name": N_("Assessment item"),
    "category": N_("Category"),
    "min_points": N_("Lowest points"),
    "max_points": N_("Highest points"),
    "period_cap": N_("Cap per period"),
    "client_bureau": N_("Client bureau"),
    "effective_from": N_("Effective from"),
    "note": N_("Note"),
}
ITEM_OPTIONAL = frozenset({"max_points", "period_cap", "client_bureau", "note"})

SCORE_HEADERS = {"worker_no": N_("Worker number"), "name": N_("Name"), "id_number": N_("ID number"), "score": N_("Score")}
# A third party's own sheet may name workers by ID number alone.
SCORE_OPTIONAL = frozenset({"worker_no"})


def _languages() -> list[Translator]:
    return [translator(locale) for locale in LOCALES]


def _lookup(headers: dict[str, str]) -> dict[str, str]:
    return {t(msgid): field for t in _languages() for field, msgid in headers.items()} | {f: f for f in headers}


def _read(data: bytes, headers: dict[str, str], t: Translator, optional: frozenset[str] = frozenset()):
    try:
        return read_rows(data, _lookup(headers), {f: t(m) for f, m in headers.items()}, optional)
    except DomainError as error:
        raise ImportRefused([RowError(1, "", t.error(error))]) from error


def item_template(t: Translator) -> bytes:
    example = ["A01", "迟到早退", t(CATEGORY_LABELS[Category.ATTENDANCE]), "-2", "-1", "10", "", "2026-01-01", ""]
    return write_rows(t(N_("Assessment items")), [t(ITEM_HEADERS[f]) for f in ITEM_FIELDS], [example])


def parse_item_sheet(data: bytes, t: Translator, bureaus: Mapping[str, int]) -> list[tuple[int, ItemInput]]:
    """``bureaus``: the tenant's, name -> id, which the sheet's bureau column names."""
    rows = _read(data, ITEM_HEADERS, t, ITEM_OPTIONAL)
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no rows.")))])
    categories = {tr(msgid): member for tr in _languages() for member, msgid in CATEGORY_LABELS.items()}
    parsed: list[tuple[int, ItemInput]] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, int | None], int] = {}
    for row in rows:
        try:
            item = parse_item(row.values, bureaus, categories=categories)
        except InputErrors as problems:
            errors += [RowError(row.number, _column(e.field, ITEM_HEADERS, t), t.error(e)) for e in problems.errors]
            continue
        key = (item.code, item.bureau_id)
        if key in seen:
            errors.append(
                RowError(row.number, t(ITEM_HEADERS["code"]), t(N_("The same code is already on row {row}."), row=seen[key]))
            )
            continue
        seen[key] = row.number
        parsed.append((row.number, item))
    if errors:
        raise ImportRefused(errors)
    return parsed


def _column(field: str | None, headers: dict[str, str], t: Translator) -> str:
    return t(headers[field]) if field in headers else ""


def item_rows_refused(problems: list[tuple[int, DomainError]], t: Translator) -> ImportRefused:
    """The catalogue rows a rule refused as they were written (``actions.RowProblems``), each under its column."""
    return ImportRefused([RowError(number, _column(e.field, ITEM_HEADERS, t), t.error(e)) for number, e in problems])


def score_template(t: Translator, workers: list[tuple[int, str, str]]) -> bytes:
    """A sheet to hand to the third party: worker number, name and ID number filled, score blank.

    The ID number is whatever the downloader may see (the mask for most roles); the worker number
    is what the import matches a masked row by.
    """
    return write_rows(
        t(N_("Scores")),
        [t(SCORE_HEADERS[f]) for f in SCORE_HEADERS],
        [[worker_no, name, number, None] for worker_no, name, number in workers],
    )


def _sheet_worker(
    number: str, worker_no: object, find: Callable[[str], Worker | None], by_id: Callable[[int], Worker | None]
) -> tuple[Worker | None, str]:
    """The row's worker and, if none, why not (a message id).

    With a worker number (a downloaded template) the ID number cell must be that worker's, in full
    or as its mask; without one the full ID number alone names the worker.
    """
    if text_of(worker_no):
        worker_id = whole_number(text_of(worker_no))
        worker = by_id(worker_id) if worker_id is not None else None
        if worker is None:
            return None, N_("No worker of the roster has this worker number.")
        if number != worker.id_number_masked.upper() and find(number) is not worker:
            return None, N_("The ID number is not that of the worker with this worker number.")
        return worker, ""
    worker = find(number)
    return worker, "" if worker is not None else N_("No worker of the roster has this ID number.")


def parse_score_sheet(
    data: bytes, t: Translator, find: Callable[[str], Worker | None], by_id: Callable[[int], Worker | None]
) -> dict[int, Decimal]:
    """{worker id: score}; ``find(id number)`` and ``by_id(worker id)`` look a worker up in the tenant.

    Every row must name a worker of the roster, by worker number and (masked or full) ID number
    or by full ID number alone (the name must match it), once, with a score from 0 to 100.
    """
    rows = _read(data, SCORE_HEADERS, t, SCORE_OPTIONAL)
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no rows.")))])
    scores: dict[int, Decimal] = {}
    first_row: dict[int, int] = {}
    errors: list[RowError] = []
    for row in rows:
        raw_number = row.values.get("id_number")
        number = text_of(raw_number).upper()
        worker = None
        if isinstance(raw_number, (int, float)):
            errors.append(
                RowError(
                    row.number,
                    t(SCORE_HEADERS["id_number"]),
                    t(N_("Type the ID number as text: as a number Excel loses its last digits.")),
                )
            )
        elif not number:
            errors.append(RowError(row.number, t(SCORE_HEADERS["id_number"]), t(N_("This field is required."))))
        else:
            worker, problem = _sheet_worker(number, row.values.get("worker_no"), find, by_id)
            if worker is None:
                errors.append(RowError(row.number, t(SCORE_HEADERS["id_number"]), t(problem)))
            elif text_of(row.values.get("name")) and text_of(row.values.get("name")) != worker.name:
                errors.append(
                    RowError(
                        row.number,
                        t(SCORE_HEADERS["name"]),
                        t(N_("The roster has {name} under this ID number."), name=worker.name),
                    )
                )
                worker = None
        try:
            score = parse_score(row.values.get("score"))
        except DomainError as error:
            errors.append(RowError(row.number, t(SCORE_HEADERS["score"]), t.error(error)))
            continue
        if worker is None:
            continue
        worker_id = id_of(worker)
        if worker_id in first_row:
            errors.append(
                RowError(
                    row.number,
                    t(SCORE_HEADERS["id_number"]),
                    t(N_("The same worker is already on row {row}."), row=first_row[worker_id]),
                )
            )
            continue
        first_row[worker_id] = row.number
        scores[worker_id] = score
    if errors:
        raise ImportRefused(errors)
    return scores

"""Importing existing labour contracts from Excel: all or nothing.

One row per contract, the worker named by the ID number (and the name, as a
check that the number was not mistyped into another worker's).  Every row is
checked by the same ``parse_contract`` as the form; then, against the roster
and the contracts already stored, each row must name a known worker and must
not overlap another contract of that worker, stored or on another row.
A row whose worker and start date match a stored contract is that contract:
re-importing a sheet updates or leaves it, never adds it twice.  A single
problem anywhere means nothing is written.

Headers and values are accepted in either language.  Terminated contracts are
not imported (a termination needs its reason and settlement on the form).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from service.database.ids import id_of
from service.errors import N_, DomainError, Label
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.workforce.contracts.actions import ImportPlan, same_terms
from service.workforce.contracts.input import ContractInput, ContractInputErrors, parse_contract
from service.workforce.contracts.state import as_terms
from service.workforce.contracts.terms import refuse_impossible_terms
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import LABELS, Contract, ContractStatus, ContractType, Worker
from service.workforce.roster.input import _id_number, _text

HEADERS = {
    "id_number": N_("ID number"),
    "name": N_("Name"),
    "contract_type": N_("Contract type"),
    "start": N_("Start date"),
    "end": N_("End date"),
    "probation_end": N_("Probation ends"),
    "probation_wage": N_("Probation pay"),
    "wage": N_("Contract wage"),
    "post": N_("Post"),
    "work_place": N_("Work place"),
    "client_bureau": N_("Client bureau"),
    "signed_on": N_("Signed on"),
}


@dataclass(frozen=True)
class ContractRow:
    number: int  # as Excel shows it
    id_number: str
    name: str
    data: ContractInput


def _all_languages() -> list[Translator]:
    return [translator(locale) for locale in LOCALES]


def _header_lookup() -> dict[str, str]:
    return {t(msgid): field for t in _all_languages() for field, msgid in HEADERS.items()}


def _label_lookup() -> dict[str, Enum]:
    return {t(msgid): member for t in _all_languages() for member, msgid in LABELS.items() if isinstance(member, ContractType)}


def template_workbook(t: Translator) -> bytes:
    return write_rows(t(N_("Contracts")), [t(HEADERS[f]) for f in HEADERS], [])


def _column(field: str | None, t: Translator) -> str:
    return t(HEADERS[field]) if field in HEADERS else ""


def parse_workbook(
    data: bytes, t: Translator, today: date, bureaus: Mapping[str, int]
) -> tuple[list[ContractRow], list[RowError]]:
    """Check every row on its own: the rows that read, and each problem (row, column, reason) of the others.

    ``bureaus`` (the tenant's, name -> id) is what the bureau column names.
    Raises ImportRefused only when the sheet itself cannot be read."""
    try:
        rows = read_rows(data, _header_lookup(), {f: t(msgid) for f, msgid in HEADERS.items()})
    except DomainError as error:
        raise ImportRefused([RowError(1, "", t.error(error))]) from error
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no contract rows.")))])
    labels = _label_lookup()
    parsed: list[ContractRow] = []
    errors: list[RowError] = []
    for row in rows:
        problems: list[DomainError] = []
        number = ""
        try:
            number = _id_number(row.values.get("id_number"), today).number
        except DomainError as error:
            problems.append(error)
        try:
            contract = parse_contract(row.values, today=today, bureaus=bureaus, labels=labels)
        except ContractInputErrors as refused:
            problems.extend(refused.errors)
        if problems:
            errors.extend(RowError(row.number, _column(p.field, t), t.error(p)) for p in problems)
            continue
        parsed.append(ContractRow(row.number, number, _text(row.values.get("name")), contract))
    return parsed, errors


def plan_import(
    rows: Sequence[ContractRow],
    workers: Mapping[str, Worker],
    stored: Mapping[int, Sequence[Contract]],
    t: Translator,
    earlier_errors: Sequence[RowError] = (),
) -> ImportPlan:
    """Match rows to workers and stored contracts; raise ImportRefused listing
    these problems and ``earlier_errors`` (those of the rows that did not read).

    ``workers`` maps ID numbers to workers; ``stored`` each worker's contracts.
    """
    errors: list[RowError] = list(earlier_errors)
    new: list[tuple[int, ContractInput]] = []
    changed: list[tuple[Contract, ContractInput]] = []
    unchanged = 0
    seen: dict[tuple[int, date], int] = {}
    accepted: dict[int, list[tuple[int, ContractInput]]] = {}  # worker id → (row, data) of earlier rows

    def refuse(at: ContractRow, field: str | None, message: str, /, **params: object) -> None:
        errors.append(RowError(at.number, _column(field, t), t(message, **params)))

    for row in rows:
        worker = workers.get(row.id_number)
        if worker is None:
            refuse(row, "id_number", N_("No worker with this ID number is in the roster."))
            continue
        if row.name and row.name != worker.name:
            refuse(row, "name", N_("This ID number belongs to {name} in the roster."), name=worker.name)
            continue
        worker_id = id_of(worker)
        key = (worker_id, row.data.start)
        if key in seen:
            refuse(row, "start", N_("The same worker's contract from this date is already on row {row}."), row=seen[key])
            continue
        seen[key] = row.number
        existing = [c for c in stored.get(worker_id, ()) if c.start_date == row.data.start]
        match = existing[0] if existing else None
        others = [as_terms(c, to_last_day=True) for c in stored.get(worker_id, ()) if c is not match]
        others += [data.terms() for _, data in accepted.get(worker_id, [])]
        try:
            refuse_impossible_terms(row.data.terms(), others)
        except DomainError as error:
            refuse(row, error.field, error.message, **error.params)
            continue
        accepted.setdefault(worker_id, []).append((row.number, row.data))
        if match is None:
            new.append((worker_id, row.data))
        elif same_terms(match, row.data):
            unchanged += 1
        elif match.status in (ContractStatus.RENEWED, ContractStatus.TERMINATED):
            refuse(
                row,
                None,
                N_("The stored contract from this date is {status} and can no longer be changed."),
                status=Label(LABELS[match.status]),
            )
        elif match.status is ContractStatus.SIGNED and row.data.signed_on is None:
            refuse(row, "signed_on", N_("The stored contract from this date is signed: give its signing date."))
        else:
            changed.append((match, row.data))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    return ImportPlan(new=new, changed=changed, unchanged=unchanged)

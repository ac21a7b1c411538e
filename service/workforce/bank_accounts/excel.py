"""Importing bank accounts from Excel: all or nothing, with row-numbered errors.

One row per worker, named by the ID number (and the name, as a check that the
number was not mistyped into another worker's).  Every row is checked by the
same ``parse_bank_account`` as the forms; then, against the roster and the
accounts in force: a known worker, at most one row per worker, a number on no
other row and in force for no other worker (unless that worker's own row
gives them another account).  A card number failing the Luhn check is a
warning: the sheet is imported only when the clerk confirmed the warnings.
A row equal to the account in force changes nothing, so a sheet can be
imported again.  A blank account name means the worker's own name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from service.database.ids import id_of
from service.errors import N_, DomainError
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.workforce.bank_accounts.rules import (
    CARD_CHECK_WARNING,
    BankAccountInput,
    BankAccountInputErrors,
    fails_card_check,
    parse_bank_account,
)
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker
from service.workforce.roster.input import _id_number, _text

HEADERS = {
    "id_number": N_("ID number"),
    "name": N_("Name"),
    "account_number": N_("Account number"),
    "bank_name": N_("Bank"),
    "branch": N_("Branch"),
    "account_name": N_("Account name"),
    "name_reason": N_("Reason the account is in another name"),
}
OPTIONAL_FIELDS = frozenset({"branch", "account_name", "name_reason"})


@dataclass(frozen=True)
class AccountRow:
    number: int  # as Excel shows it
    id_number: str
    name: str
    values: Mapping[str, object]


def _header_lookup() -> dict[str, str]:
    return {translator(locale)(msgid): field for locale in LOCALES for field, msgid in HEADERS.items()}


def _column(field: str | None, t: Translator) -> str:
    return t(HEADERS[field]) if field in HEADERS else ""


def template_workbook(t: Translator) -> bytes:
    return write_rows(t(N_("Bank accounts")), [t(msgid) for msgid in HEADERS.values()], [])


def parse_workbook(data: bytes, t: Translator, today: date) -> tuple[list[AccountRow], list[RowError]]:
    """The rows whose ID number reads, and the problem of each other row.  Raises ImportRefused only
    when the sheet itself cannot be read."""
    try:
        rows = read_rows(data, _header_lookup(), {f: t(msgid) for f, msgid in HEADERS.items()}, OPTIONAL_FIELDS)
    except DomainError as error:
        raise ImportRefused([RowError(1, "", t.error(error))]) from error
    if not rows:
        raise ImportRefused([RowError(1, "", t(N_("The sheet has no account rows.")))])
    parsed: list[AccountRow] = []
    errors: list[RowError] = []
    for row in rows:
        try:
            number = _id_number(row.values.get("id_number"), today).number
        except DomainError as error:
            errors.append(RowError(row.number, _column(error.field, t), t.error(error)))
            continue
        parsed.append(AccountRow(row.number, number, _text(row.values.get("name")), row.values))
    return parsed, errors


def plan_import(
    rows: Sequence[AccountRow],
    workers: Mapping[str, Worker],
    holders_of: Callable[[list[str]], Mapping[str, Worker]],
    t: Translator,
    earlier_errors: Sequence[RowError] = (),
    *,
    confirmed: bool,
) -> list[tuple[int, BankAccountInput]]:
    """Each row's worker id and account; raise ImportRefused with these problems and ``earlier_errors``,
    and with the card-check warnings unless ``confirmed``.

    ``workers`` maps ID numbers to workers; ``holders_of(numbers)`` gives, of these account numbers,
    those in force and the worker paid into each.
    """
    errors: list[RowError] = list(earlier_errors)
    warnings: list[RowError] = []
    planned: list[tuple[int, BankAccountInput]] = []
    row_of_worker: dict[int, int] = {}
    row_of_number: dict[str, int] = {}
    row_of_planned: list[AccountRow] = []

    def refuse(at: AccountRow, field: str | None, message: str, /, **params: object) -> None:
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
        values = dict(row.values)
        if not _text(values.get("account_name")):
            values["account_name"] = worker.name
        try:
            data = parse_bank_account(values, worker_name=worker.name)
        except BankAccountInputErrors as problems:
            errors.extend(RowError(row.number, _column(p.field, t), t.error(p)) for p in problems.errors)
            continue
        if worker_id in row_of_worker:
            refuse(row, "id_number", N_("The same worker is already on row {row}."), row=row_of_worker[worker_id])
            continue
        if data.account_number in row_of_number:
            refuse(
                row,
                "account_number",
                N_("The same account number is already on row {row}."),
                row=row_of_number[data.account_number],
            )
            continue
        row_of_worker[worker_id] = row.number
        row_of_number[data.account_number] = row.number
        if fails_card_check(data.account_number):
            warnings.append(RowError(row.number, _column("account_number", t), t(CARD_CHECK_WARNING), warning=True))
        planned.append((worker_id, data))
        row_of_planned.append(row)
    # Another worker's account in force may move to this row's worker only when the sheet gives that
    # worker another account too (two accounts swapped, or one handed on): checked once every row is read.
    holders = holders_of([data.account_number for _, data in planned])
    for row, (worker_id, data) in zip(row_of_planned, planned, strict=True):
        holder = holders.get(data.account_number)
        if holder is not None and id_of(holder) != worker_id and id_of(holder) not in row_of_worker:
            message = N_("This account number is already in force for {name}: one account pays one worker.")
            refuse(row, "account_number", message, name=holder.name)
    if errors or (warnings and not confirmed):
        raise ImportRefused(sorted([*errors, *warnings], key=lambda e: (e.row, e.warning)))
    return planned

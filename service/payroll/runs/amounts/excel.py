"""The sheet of per-worker-month pay component amounts: its columns, its template and the checks each row
must pass before anything is looked up (pure: no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from service.errors import N_, DomainError
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.money import parse_yuan
from service.workforce.attendance.rules import parse_month
from service.workforce.identity import parse_national_id
from service.workforce.imports.refusals import RowError

HEADERS = {
    "id_number": N_("ID number"),
    "name": N_("Name"),
    "month": N_("Month"),
    "code": N_("Component code"),
    "amount": N_("Amount"),
}
COLUMNS = ("id_number", "name", "month", "code", "amount")


@dataclass(frozen=True)
class AmountRow:
    row: int
    id_number: str
    name: str
    month: date
    code: str
    amount: Decimal


# The sheet's Chinese headers are accepted whatever the catalogues say.
ZH_HEADERS = {"身份证号": "id_number", "姓名": "name", "月份": "month", "项目代码": "code", "金额": "amount"}


def _header_lookup() -> dict[str, str]:
    found = {translator(locale)(msgid): field for locale in LOCALES for field, msgid in HEADERS.items()}
    return {**found, **ZH_HEADERS}


def template_workbook(t: Translator) -> bytes:
    return write_rows(t(N_("Pay component amounts")), [t(HEADERS[c]) for c in COLUMNS], [])


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or value is None or _text(value) == "":
        raise DomainError(N_("Enter an amount."), field="amount")
    typed = repr(value) if isinstance(value, float) else _text(value)
    try:
        amount = parse_yuan(typed)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="amount") from None
    if amount < 0:
        raise DomainError(N_("The amount must not be negative."), field="amount")
    if amount >= Decimal("10000000000"):
        raise DomainError(N_("This number is too large."), field="amount")
    return amount


def check_amounts(data: bytes, t: Translator) -> tuple[list[AmountRow], list[RowError]]:
    """The rows that passed and the problems (row, column, reason) of those that did not (pure)."""
    names = {f: t(msgid) for f, msgid in HEADERS.items()}
    try:
        rows = read_rows(data, _header_lookup(), names)
    except DomainError as error:
        return [], [RowError(1, "", t.error(error))]
    entries: list[AmountRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, date, str], int] = {}
    for row in rows:
        problems: list[DomainError] = []
        values = row.values
        number = ""
        raw_id = values.get("id_number")
        try:
            if isinstance(raw_id, (int, float)):
                raise DomainError(N_("Type the ID number as text: as a number Excel loses its last digits."), field="id_number")
            number = parse_national_id(_text(raw_id)).number
        except DomainError as error:
            problems.append(error)
        month = None
        try:
            month = parse_month(values.get("month"))
        except DomainError as error:
            problems.append(error)
        code = _text(values.get("code")).lower()
        if not code:
            problems.append(DomainError(N_("Enter a code."), field="code"))
        amount = None
        try:
            amount = _amount(values.get("amount"))
        except DomainError as error:
            problems.append(error)
        if number and month and code:
            key = (number, month, code)
            if key in first_seen:
                problems.append(
                    DomainError(
                        N_("The same worker, month and code are already on row {row}."), field="id_number", row=first_seen[key]
                    )
                )
            else:
                first_seen[key] = row.number
        if problems:
            errors.extend(RowError(row.number, names.get(p.field or "", ""), t.error(p)) for p in problems)
        elif month is not None and amount is not None:
            entries.append(AmountRow(row.number, number, _text(values.get("name")), month, code, amount))
    if not entries and not errors:
        errors.append(RowError(1, "", t(N_("The sheet has no rows of figures."))))
    return entries, errors

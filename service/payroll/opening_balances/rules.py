"""An opening balance as a person types it (the per-worker form, each row of the sheet), read by ``parse_balance``.

The balance is as of a month (``2025-08``): the month before the first payroll
here, January to November of the tax year.  An empty amount is 0 (most workers
have no tax-free income or other deductions); months employed must be given,
as a whole number.  What a balance may hold is ``income_tax.OpeningBalance``'s
to say; this module only reads the typing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from service.errors import N_, DomainError, InputErrors
from service.money import ZERO, parse_yuan
from service.payroll.tax.income_tax import OPENING_AMOUNTS, OpeningBalance
from service.payroll.tax.special_deductions import FIRST_SUPPORTED_YEAR
from service.payroll.tax.year_flags import LAST_YEAR
from service.workforce.attendance.rules import parse_month

FIELDS = ("as_of", *OPENING_AMOUNTS, "months_employed")
LABELS = {
    "as_of": N_("As of month"),
    "income": N_("Income to date"),
    "tax_free_income": N_("Tax-free income to date"),
    "special_deductions": N_("Special deductions to date (employee social insurance and housing fund)"),
    "special_additional_deductions": N_("Special additional deductions to date"),
    "other_deductions": N_("Other deductions to date"),
    "tax_withheld": N_("Tax withheld to date"),
    "months_employed": N_("Months employed (basic deduction)"),
}
AMOUNT_MAX = Decimal("10000000000")  # numeric(12, 2)


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _amount(value: object, field: str) -> Decimal:
    if value is None or _text(value) == "":
        return ZERO
    if isinstance(value, bool):
        raise DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field=field)
    # A float cell: its shortest repr is what Excel showed (0.1 stays 0.1, not 0.1000000000000000055).
    typed = repr(value) if isinstance(value, float) else _text(value)
    try:
        amount = parse_yuan(typed)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field=field) from None
    if amount < 0:
        raise DomainError(N_("The amount must not be negative."), field=field)
    if amount >= AMOUNT_MAX:
        raise DomainError(N_("This number is too large."), field=field)
    return amount


def _months(value: object) -> int:
    text = _text(value)
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not text:
        raise DomainError(N_("Enter the number of months employed."), field="months_employed")
    if isinstance(value, bool) or not text.lstrip("-").isdigit() or len(text) > 3:
        raise DomainError(N_("Enter a whole number of months."), field="months_employed")
    return int(text)


def _as_of(value: object) -> date:
    try:
        month = parse_month(value)
    except DomainError as error:
        raise DomainError(error.message, field="as_of", **error.params) from None
    if not FIRST_SUPPORTED_YEAR <= month.year <= LAST_YEAR:
        raise DomainError(
            N_("Choose a tax year from {first} to {last}."), field="as_of", first=FIRST_SUPPORTED_YEAR, last=LAST_YEAR
        )
    return month


def parse_balance(values: Mapping[str, object]) -> OpeningBalance:
    """The balance typed in ``values`` (keys: ``FIELDS``); raises InputErrors with every problem, each on its field."""
    errors: list[DomainError] = []
    as_of: date | None = None
    amounts: dict[str, Decimal] = {}
    months = 0
    try:
        as_of = _as_of(values.get("as_of"))
    except DomainError as error:
        errors.append(error)
    for name in OPENING_AMOUNTS:
        try:
            amounts[name] = _amount(values.get(name), name)
        except DomainError as error:
            errors.append(error)
    try:
        months = _months(values.get("months_employed"))
    except DomainError as error:
        errors.append(error)
    if errors or as_of is None:
        raise InputErrors(errors)
    try:
        return OpeningBalance(year=as_of.year, as_of_month=as_of.month, months_employed=months, **amounts)
    except DomainError as error:
        field = "as_of" if error.field == "as_of_month" else error.field
        raise InputErrors([DomainError(error.message, field=field, **error.params)]) from None


def as_of_text(balance: OpeningBalance) -> str:
    """The balance's month as the form and the sheet type it: ``2025-08``."""
    return f"{balance.year}-{balance.as_of_month:02d}"


def published_problem(balance: OpeningBalance, first_published_month: int | None) -> DomainError | None:
    """Why the balance cannot be as of its month, when payroll here published that month or an earlier one
    of the year for the worker (the balance would count those months twice); else None."""
    if first_published_month is None or balance.as_of_month < first_published_month:
        return None
    return DomainError(
        N_("Payroll here has already published {month} for this worker: the opening balance must be as of an earlier month."),
        field="as_of",
        month=f"{balance.year}-{first_published_month:02d}",
    )

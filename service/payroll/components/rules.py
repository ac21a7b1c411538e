"""Tenant pay components valued for one worker and month (pure).

A component is defined once per tenant (``ComponentDefinition``) and valued
each month into a ``payslip.Component``:

* ``fixed``: its amount, every month (an addition: for the days employed in a
  worker's first or last month, ``MONTHLY_AMOUNTS``);
* ``per_year_of_service`` (工龄工资): its amount times the **full years of
  service completed before the month starts**, counted from the hire date as
  ``service.dates`` counts a span that includes its first day.  A worker
  hired on 1 March 2025 completes the first year at the end of 28 February
  2026, so March 2026 pays one year; one hired on 2 March 2025 is paid from
  April 2026.  No full year, nothing paid;
* ``per_worker_month``: the amount imported for the worker and month; no
  imported amount means the component is not paid that month (an imported
  0.00 is paid as a zero line).

* ``formula``: an arithmetic formula over the named inputs of
  ``formula.INPUTS`` (band pay, attendance, years of service...), given for
  the worker and month by ``formula_inputs`` and evaluated by
  ``formula.evaluate`` (Decimal, rounded to the fen half up).  A formula
  whose result is negative is refused, not paid as zero: write
  ``max(..., 0)`` when that is meant.  A zero result is not paid.

A component limited to one client bureau applies only to that bureau's
workers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from service.dates import whole_months
from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan, to_fen
from service.payroll.bands.rules import BandPay
from service.payroll.components import formula as formulas
from service.payroll.pay_days import MONTHLY_PAY_DAYS
from service.payroll.payslip import RESERVED_CODES, Attendance, Component, ComponentKind


class Method(str, Enum):
    FIXED = "fixed"
    PER_YEAR_OF_SERVICE = "per_year_of_service"
    PER_WORKER_MONTH = "per_worker_month"
    FORMULA = "formula"


# The methods that pay a fixed monthly amount: an addition of one is paid for the days employed in a
# part month (``payslip``, "Part months"); an imported amount or a formula is the month's already.
MONTHLY_AMOUNTS = (Method.FIXED, Method.PER_YEAR_OF_SERVICE)

KIND_LABELS = {ComponentKind.ADDITION: N_("Addition"), ComponentKind.DEDUCTION: N_("Deduction")}
METHOD_LABELS = {
    Method.FIXED: N_("Fixed amount"),
    Method.PER_YEAR_OF_SERVICE: N_("Per full year of service"),
    Method.PER_WORKER_MONTH: N_("Imported per worker and month"),
    Method.FORMULA: N_("Formula over named inputs"),
}


@dataclass(frozen=True)
class ComponentDefinition:
    code: str
    label: str
    kind: ComponentKind
    method: Method
    amount: Decimal | None  # fixed amount, or per full year; None for per_worker_month and formula
    taxable: bool = True
    counts_for_minimum_wage: bool = True
    bureau_id: int | None = None  # the one client bureau it applies to; None: every worker
    formula: str | None = None  # method formula only

    def __post_init__(self) -> None:
        if self.method is Method.FORMULA:
            if self.amount is not None:
                raise DomainError(N_("A formula component has no amount of its own."), field="amount")
            if self.formula is None:
                raise DomainError(N_("Enter a formula."), field="formula")
            formulas.parse(self.formula)
            return
        if self.formula is not None:
            raise DomainError(N_("Only a formula component has a formula."), field="formula")
        if self.method is Method.PER_WORKER_MONTH:
            if self.amount is not None:
                raise DomainError(N_("An imported component has no amount of its own."), field="amount")
        elif self.amount is None:
            raise DomainError(N_("Enter an amount."), field="amount")
        elif self.amount < 0:
            raise DomainError(N_("The amount must not be negative."), field="amount")

    def applies_to(self, bureau_id: int) -> bool:
        return self.bureau_id is None or self.bureau_id == bureau_id


def full_years_of_service(hire_date: date, month: date) -> int:
    """Full years from ``hire_date`` completed before ``month``'s first day."""
    first = month.replace(day=1)
    if hire_date >= first:
        return 0
    months, _ = whole_months(hire_date, first - timedelta(days=1))
    return months // 12


def formula_inputs(*, band: BandPay, grade: int, hire_date: date, month: date, attendance: Attendance) -> dict[str, Decimal]:
    """The value of every name of ``formula.INPUTS`` for one worker and month."""
    overtime = attendance.overtime_weekday_hours + attendance.overtime_rest_day_hours + attendance.overtime_holiday_hours
    inputs = {
        "post_pay": band.post_pay,
        "grade_pay": band.grade_pay,
        "performance_pay": band.performance_pay,
        "band_pay": band.total,
        "grade": Decimal(grade),
        "years_of_service": Decimal(full_years_of_service(hire_date, month)),
        "days_worked": attendance.days_worked,
        "absence_days": attendance.absence_days,
        "overtime_weekday_hours": attendance.overtime_weekday_hours,
        "overtime_rest_day_hours": attendance.overtime_rest_day_hours,
        "overtime_holiday_hours": attendance.overtime_holiday_hours,
        "overtime_hours": overtime,
        "monthly_pay_days": MONTHLY_PAY_DAYS,
    }
    assert inputs.keys() == formulas.INPUTS.keys()
    return inputs


def value(
    definition: ComponentDefinition,
    *,
    hire_date: date,
    bureau_id: int,
    month: date,
    imported: Decimal | None = None,
    inputs: Mapping[str, Decimal] | None = None,
) -> Component | None:
    """The component for this worker and month, or None when it is not paid.

    ``inputs`` (``formula_inputs``) are needed by a formula component only."""
    if not definition.applies_to(bureau_id):
        return None
    if definition.method is Method.FORMULA:
        amount = formulas.evaluate(definition.formula or "", inputs or {})
        if amount < 0:
            raise DomainError(
                N_("The formula of {code} gives {amount}, a negative amount: write max(..., 0) if nothing is due then."),
                field="formula",
                code=definition.code,
                amount=amount,
            )
        if amount == 0:
            return None
    elif definition.method is Method.FIXED:
        assert definition.amount is not None  # a fixed component has its amount (ComponentDefinition checks)
        amount = definition.amount
    elif definition.method is Method.PER_YEAR_OF_SERVICE:
        assert definition.amount is not None  # so has one paid per year of service
        years = full_years_of_service(hire_date, month)
        if years == 0:
            return None
        amount = definition.amount * years
    else:
        if imported is None:
            return None
        amount = imported
    return Component(
        code=definition.code,
        label=definition.label,
        kind=definition.kind,
        amount=to_fen(amount),
        taxable=definition.taxable,
        counts_for_minimum_wage=definition.counts_for_minimum_wage,
        prorated=definition.kind is ComponentKind.ADDITION and definition.method in MONTHLY_AMOUNTS,
    )


def month_components(
    definitions: Sequence[tuple[int, ComponentDefinition]],
    *,
    worker_id: int,
    imported: Mapping[tuple[int, int], Decimal],
    hire_date: date,
    bureau_id: int,
    grade: int,
    month: date,
    band: Callable[[], BandPay],
    attendance: Attendance,
) -> tuple[Component, ...]:
    """Every paid component of one worker's month, in ``definitions`` order.

    ``definitions`` are (component id, definition); ``imported`` the month's
    amounts by (component id, worker id); ``band`` gives the worker's band
    pay, called only when a formula needs it.  Raises DomainError when a
    formula cannot be valued for the worker."""
    inputs: dict[str, Decimal] | None = None
    paid: list[Component] = []
    for component_id, definition in definitions:
        if definition.method is Method.FORMULA and inputs is None and definition.applies_to(bureau_id):
            inputs = formula_inputs(band=band(), grade=grade, hire_date=hire_date, month=month, attendance=attendance)
        component = value(
            definition,
            hire_date=hire_date,
            bureau_id=bureau_id,
            month=month,
            imported=imported.get((component_id, worker_id)),
            inputs=inputs,
        )
        if component is not None:
            paid.append(component)
    return tuple(paid)


CODE = re.compile(r"[a-z][a-z0-9_]{0,29}")
FLAGS = ("taxable", "counts_for_minimum_wage")
NO_AMOUNT = (Method.PER_WORKER_MONTH, Method.FORMULA)


def _flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "on", "true", "yes"))


def parse_definition(raw: Mapping[str, object], bureaus: Mapping[str, int]) -> ComponentDefinition:
    """A definition from a form (strings; a checkbox is present or absent).

    The bureau it applies to is typed as a name: ``bureaus`` (the tenant's,
    name -> id) turns it into the id.  Collects every problem, each with its
    field, and raises InputErrors."""
    errors: list[DomainError] = []

    def text(name: str) -> str:
        value = raw.get(name)
        return str(value).strip() if value is not None else ""

    code = text("code").lower()
    if not code:
        errors.append(DomainError(N_("Enter a code."), field="code"))
    elif not CODE.fullmatch(code):
        errors.append(
            DomainError(N_("A code is up to 30 lower-case letters, digits and _ and starts with a letter."), field="code")
        )
    elif code in RESERVED_CODES:
        errors.append(DomainError(N_("The code {code} is used by the payslip itself."), field="code", code=code))
    label = text("label")
    if not label:
        errors.append(DomainError(N_("Enter a name."), field="label"))
    elif len(label) > 60:
        errors.append(DomainError(N_("At most {limit} characters."), field="label", limit=60))
    kind = method = None
    try:
        kind = ComponentKind(text("kind"))
    except ValueError:
        errors.append(DomainError(N_("Choose a value."), field="kind"))
    try:
        method = Method(text("method"))
    except ValueError:
        errors.append(DomainError(N_("Choose a value."), field="method"))
    amount: Decimal | None = None
    formula: str | None = None
    if method is Method.FORMULA:
        try:
            formula = formulas.check(text("formula"))
        except DomainError as error:
            errors.append(error)
    if method is not None and method not in NO_AMOUNT:
        typed = text("amount")
        if not typed:
            errors.append(DomainError(N_("Enter an amount."), field="amount"))
        else:
            try:
                amount = parse_yuan(typed)
            except ValueError:
                errors.append(DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="amount"))
            else:
                if amount < 0:
                    errors.append(DomainError(N_("The amount must not be negative."), field="amount"))
                elif amount >= Decimal("10000000000"):
                    errors.append(DomainError(N_("This number is too large."), field="amount"))
    bureau = text("applies_to_bureau")
    bureau_id = bureaus.get(bureau) if bureau else None
    if len(bureau) > 80:
        errors.append(DomainError(N_("At most {limit} characters."), field="applies_to_bureau", limit=80))
    elif bureau and bureau_id is None:
        errors.append(DomainError(N_("There is no client bureau named {name}."), field="applies_to_bureau", name=bureau))
    if errors or kind is None or method is None:
        raise InputErrors(errors)
    return ComponentDefinition(
        code=code,
        label=label,
        kind=kind,
        method=method,
        amount=amount,
        taxable=_flag(raw.get("taxable")),
        counts_for_minimum_wage=_flag(raw.get("counts_for_minimum_wage")),
        bureau_id=bureau_id,
        formula=formula,
    )

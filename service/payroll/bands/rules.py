"""Salary bands: the pay matrix of professional grade (1–5) × assessment rating.

Pure rules, no database (DOMAIN.md "Salary bands tied to grade and
assessment"):

- A *band table* is one version of a tenant's matrix, tenant-wide
  (``bureau_id`` None) or for one client bureau, in force from its
  ``effective_from`` until the next version of the same scope.
- Each of its 25 cells gives post pay 岗位工资, grade pay 等级工资 and the
  performance part 绩效工资 in exactly one of two forms: a fixed monthly
  amount, or a coefficient applied to a performance base (``band_pay``).
- ``band_in_force`` picks the table for a worker's bureau on a day.
- A table whose cells use a coefficient records its performance base
  (``BandTableInput.performance_base``, required by the form then).
- ``parse_band_form`` / ``validate_cells`` refuse incomplete or wrong input,
  collecting every problem with its form field (``cell-3-good-post_pay``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol, TypeVar

from service.assessment.ratings import Rating
from service.errors import N_, DomainError
from service.money import parse_yuan, to_fen
from service.workforce.models import GRADES
from service.workforce.roster.input import parse_date

RATINGS: tuple[Rating, ...] = tuple(Rating)  # best first
COMPONENTS = ("post_pay", "grade_pay", "performance_pay", "performance_coefficient")
AMOUNT_MAX = Decimal("9999999999.99")  # numeric(12, 2) in migration 0011
COEFFICIENT_MAX = Decimal("99.999")  # numeric(5, 3)
COEFFICIENT_STEP = Decimal("0.001")
BUREAU_MAX = 80
NOTE_MAX = 300


def cell_field(grade: int, rating: Rating, component: str) -> str:
    """The form field (and error field) of one component of one cell: ``cell-3-good-post_pay``."""
    return f"cell-{grade}-{rating.value}-{component}"


@dataclass(frozen=True)
class BandCell:
    grade: int
    rating: Rating
    post_pay: Decimal
    grade_pay: Decimal
    performance_pay: Decimal | None = None  # a fixed monthly amount, or
    performance_coefficient: Decimal | None = None  # × the performance base (``band_pay``)


@dataclass(frozen=True)
class BandPay:
    post_pay: Decimal
    grade_pay: Decimal
    performance_pay: Decimal

    @property
    def total(self) -> Decimal:
        return self.post_pay + self.grade_pay + self.performance_pay


def band_pay(cell: BandCell, performance_base: Decimal | None = None) -> BandPay:
    """The month's band pay of one cell.

    Performance pay is the cell's fixed amount when it has one; otherwise it
    is ``performance_coefficient × performance_base``, rounded to the fen
    half up.  The performance base (绩效基数) is the monthly amount the tenant
    (or the client agreement) sets for a full performance result; a
    coefficient of 1.000 pays it in full, 1.200 pays 120 %, 0 pays nothing.
    It is an argument here: the payroll run supplies it.  A coefficient cell
    without a base is refused rather than paid as zero.
    """
    if cell.performance_pay is not None:
        performance = cell.performance_pay
    elif cell.performance_coefficient is not None:
        if performance_base is None:
            raise DomainError(
                N_("The band uses a performance coefficient: enter the performance base."),
                field="performance_base",
            )
        if performance_base < 0:
            raise DomainError(N_("The amount cannot be negative."), field="performance_base")
        performance = to_fen(cell.performance_coefficient * performance_base)
    else:  # validate_cells refuses this; the check keeps the rule total
        raise DomainError(N_("Give either a fixed performance pay or a coefficient."), field="performance_pay")
    return BandPay(to_fen(cell.post_pay), to_fen(cell.grade_pay), to_fen(performance))


class Versioned(Protocol):
    bureau_id: int | None
    effective_from: date


T = TypeVar("T", bound=Versioned)


def band_in_force(tables: Iterable[T], bureau_id: int | None, on: date) -> T | None:
    """The band table for a worker of the bureau ``bureau_id`` on ``on``.

    Within one scope the latest version whose ``effective_from`` is on or
    before ``on`` is in force.  The bureau's own table, when one is in force,
    beats the tenant-wide one, however recent the tenant-wide version is: a
    bureau that agreed its own pay keeps it until it gets a new version of its
    own.  None when neither scope has a version in force yet.
    """
    started = [t for t in tables if t.effective_from <= on]
    if bureau_id is not None:
        own = [t for t in started if t.bureau_id == bureau_id]
        if own:
            return max(own, key=lambda t: t.effective_from)
    tenant_wide = [t for t in started if t.bureau_id is None]
    return max(tenant_wide, key=lambda t: t.effective_from) if tenant_wide else None


def cell_for(cells: Iterable[BandCell], grade: int, rating: Rating) -> BandCell | None:
    return next((c for c in cells if c.grade == grade and c.rating is rating), None)


class BandInputErrors(DomainError):
    """Every problem found in a band table, each with its field; the first one
    is the exception's own message and field."""

    def __init__(self, errors: list[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.message, field=first.field, **first.params)
        self.errors = errors


def _cell_errors(cell: BandCell) -> list[DomainError]:
    errors: list[DomainError] = []
    for component in ("post_pay", "grade_pay", "performance_pay"):
        amount = getattr(cell, component)
        if amount is None:
            continue
        field = cell_field(cell.grade, cell.rating, component)
        if amount < 0:
            errors.append(DomainError(N_("The amount cannot be negative."), field=field))
        elif amount > AMOUNT_MAX:
            errors.append(DomainError(N_("The amount is too large."), field=field))
    coefficient = cell.performance_coefficient
    if coefficient is not None and not Decimal(0) <= coefficient <= COEFFICIENT_MAX:
        errors.append(
            DomainError(
                N_("Enter a coefficient between 0 and {limit}."),
                field=cell_field(cell.grade, cell.rating, "performance_coefficient"),
                limit=COEFFICIENT_MAX,
            )
        )
    if (cell.performance_pay is None) == (coefficient is None):
        errors.append(
            DomainError(
                N_("Give either a fixed performance pay or a coefficient, not both."),
                field=cell_field(cell.grade, cell.rating, "performance_pay"),
            )
        )
    return errors


def validate_cells(cells: Iterable[BandCell]) -> tuple[BandCell, ...]:
    """All 25 cells present once each, amounts ≥ 0, one performance form per
    cell; returns them grade by grade, best rating first.  Raises
    BandInputErrors with every problem."""
    by_key: dict[tuple[int, Rating], BandCell] = {}
    errors: list[DomainError] = []
    for cell in cells:
        key = (cell.grade, cell.rating)
        if cell.grade not in GRADES:
            errors.append(DomainError(N_("The grade must be 1 to 5."), field="grade"))
            continue
        if key in by_key:
            errors.append(
                DomainError(
                    N_("Grade {grade}, {rating} is given twice."),
                    field=cell_field(cell.grade, cell.rating, "post_pay"),
                    grade=cell.grade,
                    rating=cell.rating.label,
                )
            )
            continue
        by_key[key] = cell
        errors.extend(_cell_errors(cell))
    for grade in GRADES:
        for rating in RATINGS:
            if (grade, rating) not in by_key:
                errors.append(
                    DomainError(
                        N_("Grade {grade}, {rating} is missing: every grade needs all five ratings."),
                        field=cell_field(grade, rating, "post_pay"),
                        grade=grade,
                        rating=rating.label,
                    )
                )
    if errors:
        raise BandInputErrors(errors)
    return tuple(by_key[(g, r)] for g in GRADES for r in RATINGS)


@dataclass(frozen=True)
class BandTableInput:
    bureau_id: int | None  # None: tenant-wide
    effective_from: date
    note: str
    cells: tuple[BandCell, ...]
    performance_base: Decimal | None = None  # 绩效基数: needed when a cell has a coefficient


def uses_coefficient(cells: Iterable[BandCell]) -> bool:
    return any(c.performance_coefficient is not None for c in cells)


def _amount(text: str, field: str, *, required: bool) -> Decimal | None:
    if not text.strip():
        if required:
            raise DomainError(N_("Enter an amount."), field=field)
        return None
    try:
        amount = parse_yuan(text)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 2540 or 27.70."), field=field) from None
    if amount < 0:
        raise DomainError(N_("The amount cannot be negative."), field=field)
    if amount > AMOUNT_MAX:
        raise DomainError(N_("The amount is too large."), field=field)
    return amount


def _coefficient(text: str, field: str) -> Decimal | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.quantize(COEFFICIENT_STEP, rounding=ROUND_HALF_UP):
        raise DomainError(N_("Enter a coefficient like 1 or 1.125 (at most three decimals)."), field=field)
    if not Decimal(0) <= value <= COEFFICIENT_MAX:
        raise DomainError(N_("Enter a coefficient between 0 and {limit}."), field=field, limit=COEFFICIENT_MAX)
    return value.quantize(COEFFICIENT_STEP)


def form_fields() -> tuple[str, ...]:
    """Every field of the band form."""
    cells = tuple(cell_field(g, r, c) for g in GRADES for r in RATINGS for c in COMPONENTS)
    return ("client_bureau", "effective_from", "note", "performance_base", *cells)


def parse_band_form(raw: Mapping[str, str], bureaus: Mapping[str, int]) -> BandTableInput:
    """Check the whole form (scope, date, note, 25 cells × 4 inputs); raise
    BandInputErrors with every problem at once.  The scope is typed as a
    bureau's name: ``bureaus`` (the tenant's, name -> id) turns it into the id."""
    errors: list[DomainError] = []
    bureau = (raw.get("client_bureau") or "").strip()
    bureau_id = bureaus.get(bureau) if bureau else None
    if len(bureau) > BUREAU_MAX:
        errors.append(DomainError(N_("At most {limit} characters."), field="client_bureau", limit=BUREAU_MAX))
    elif bureau and bureau_id is None:
        errors.append(DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=bureau))
    note = (raw.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.append(DomainError(N_("At most {limit} characters."), field="note", limit=NOTE_MAX))
    effective_from = None
    try:
        effective_from = parse_date(raw.get("effective_from") or "", "effective_from")
    except DomainError as error:
        errors.append(error)
    cells: list[BandCell] = []
    for grade in GRADES:
        for rating in RATINGS:
            values: dict[str, Decimal | None] = {}
            cell_ok = True
            for component in COMPONENTS:
                field = cell_field(grade, rating, component)
                text = raw.get(field) or ""
                try:
                    if component == "performance_coefficient":
                        values[component] = _coefficient(text, field)
                    else:
                        values[component] = _amount(text, field, required=component != "performance_pay")
                except DomainError as error:
                    errors.append(error)
                    cell_ok = False
            if not cell_ok:
                continue
            cell = BandCell(grade, rating, **values)  # type: ignore[arg-type]
            cell_problems = _cell_errors(cell)
            errors.extend(cell_problems)
            if not cell_problems:
                cells.append(cell)
    performance_base = None
    try:
        performance_base = _amount(raw.get("performance_base") or "", "performance_base", required=False)
    except DomainError as error:
        errors.append(error)
    else:
        if performance_base is None and uses_coefficient(cells):
            errors.append(
                DomainError(
                    N_("Some cells use a performance coefficient: enter the performance base it multiplies."),
                    field="performance_base",
                )
            )
    if errors:
        raise BandInputErrors(errors)
    return BandTableInput(bureau_id, effective_from, note, validate_cells(cells), performance_base)  # type: ignore[arg-type]

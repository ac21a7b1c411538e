"""What the insurance forms accept: the tenant's rates typed as percentages, a worker's
contribution base in yuan.  Pure: a form's every problem is raised at once, beside its field."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan

RATE_PLACES = {"housing_fund_rate": 2, "work_injury_rate": 3}  # decimals of a percentage


class RateErrors(InputErrors):
    """Every problem with a settings form, each with its field."""


def parse_percent(text: str, field: str, places: int) -> Decimal | None:
    """'7' or '7%' -> 0.07; blank -> None (not chosen)."""
    cleaned = text.strip().rstrip("%％").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
        exact = value.is_finite() and value == round(value, places)
    except ArithmeticError:  # Decimal() and round() refuse "x" and "1e999999"
        exact = False
    if not exact:
        raise DomainError(N_("Enter a percentage, such as 7 or 0.2."), field=field)
    return value / 100


def parse_rates(values: Mapping[str, str]) -> dict[str, Decimal | None]:
    """The housing-fund and work-injury rates (None = not chosen), or RateErrors with both problems."""
    problems: list[DomainError] = []
    rates: dict[str, Decimal | None] = {}
    for field, places in RATE_PLACES.items():
        try:
            rates[field] = parse_percent(values.get(field, ""), field, places)
        except DomainError as problem:
            problems.append(problem)
    if problems:
        raise RateErrors(problems)
    return rates


def parse_contribution_base(text: str) -> Decimal | None:
    """A declared base in yuan; blank -> None (the city average)."""
    if not text:
        return None
    try:
        return parse_yuan(text)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, such as 6500 or 6500.50."), field="contribution_base") from None

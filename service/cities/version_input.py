"""Checking what an admin types for one version of a city's figures.

Pure: collects every problem with its form field at once (``CityInputErrors``),
like the roster's ``worker_input``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from service.cities.housing_fund import HousingFundStart
from service.cities.reference import CityFigures
from service.dates import parse_date
from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan

CITY_CODE = re.compile(r"[a-z][a-z0-9_]{1,19}")  # the check of migration 0007 on workers.city
SOURCE_MAX = 300
T = TypeVar("T")
AMOUNT_FIELDS = ("minimum_wage_monthly", "minimum_wage_hourly", "average_wage_monthly")
FIELDS = ("city", "effective_from", *AMOUNT_FIELDS, "source", "housing_fund_start")
# numeric(10, 2) and numeric(8, 2) in migration 0006
_LIMITS = {
    "minimum_wage_monthly": Decimal("99999999.99"),
    "minimum_wage_hourly": Decimal("999999.99"),
    "average_wage_monthly": Decimal("99999999.99"),
}


# What the form gives is one version of the figures, exactly as the rules read them.
CityVersionInput = CityFigures


class CityInputErrors(InputErrors):
    """Every problem with a city version form."""


def parse_city_code(text: str) -> str:
    code = text.strip().lower()
    if not code:
        raise DomainError(N_("Enter the city code."), field="city")
    if not CITY_CODE.fullmatch(code):
        raise DomainError(
            N_("A city code has 2 to 20 lower-case letters, digits or underscores, starting with a letter."),
            field="city",
        )
    return code


def parse_amount(text: str, field: str) -> Decimal:
    if not text.strip():
        raise DomainError(N_("Enter an amount."), field=field)
    try:
        amount = parse_yuan(text)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 2540 or 27.70."), field=field) from None
    if amount <= 0:
        raise DomainError(N_("The amount must be more than zero."), field=field)
    if amount > _LIMITS[field]:
        raise DomainError(N_("The amount is too large."), field=field)
    return amount


def parse_city_version(raw: Mapping[str, str]) -> CityVersionInput:
    """Check every field; raise CityInputErrors with all problems at once."""
    errors: list[DomainError] = []

    def checked(field: str, check: Callable[[str], T]) -> T | None:
        try:
            return check(raw.get(field, "") or "")
        except DomainError as error:
            errors.append(error)
            return None

    city = checked("city", parse_city_code)
    effective_from = checked("effective_from", functools.partial(parse_date, field="effective_from"))
    monthly, hourly, average = (checked(f, functools.partial(parse_amount, field=f)) for f in AMOUNT_FIELDS)
    source = checked("source", _source)
    start = checked("housing_fund_start", _housing_fund_start)
    if errors:
        raise CityInputErrors(errors)
    # Each is None only beside an error.
    assert city is not None and effective_from is not None and source is not None and start is not None
    assert monthly is not None and hourly is not None and average is not None
    return CityVersionInput(city, effective_from, monthly, hourly, average, source, start)


def _source(text: str) -> str:
    source = text.strip()
    if len(source) > SOURCE_MAX:
        raise DomainError(N_("At most {limit} characters."), field="source", limit=SOURCE_MAX)
    return source


def _housing_fund_start(text: str) -> str:
    try:
        return HousingFundStart(text.strip()).value
    except ValueError:
        raise DomainError(N_("Choose when a new hire's housing fund starts."), field="housing_fund_start") from None

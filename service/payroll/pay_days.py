"""Daily and hourly wages, overtime pay and absence deductions from a monthly wage.

The monthly pay-day basis is 21.75 days = (365 − 104 rest days) ÷ 12, and
174 hours = 21.75 × 8: statutory holidays are paid, so they count as pay days
though not as working days (20.67 a month).  人社部发〔2025〕2号 replaced
劳社部发〔2008〕3号 and kept 21.75 (reference §3).

Rounding happens once, on the final amount, to the fen half up.  Rates are
carried exactly in between: rounding the hourly rate first would make rest-day
overtime on 6,000 come to 34.48 × 2 = 68.96 instead of 68.97.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from service.errors import N_, DomainError
from service.money import to_fen

MONTHLY_PAY_DAYS = Decimal("21.75")
MONTHLY_PAY_HOURS = Decimal("174")


class OvertimeKind(str, Enum):
    """劳动法 Art. 44: the minimum overtime premiums."""

    WEEKDAY = "weekday"  # extended working day: ≥ 150%
    REST_DAY = "rest_day"  # rest day with no time off in lieu: ≥ 200%
    HOLIDAY = "holiday"  # statutory holiday: ≥ 300%

    @property
    def multiplier(self) -> Decimal:
        return {
            OvertimeKind.WEEKDAY: Decimal("1.5"),
            OvertimeKind.REST_DAY: Decimal("2"),
            OvertimeKind.HOLIDAY: Decimal("3"),
        }[self]


def _not_negative(value: Decimal, field: str) -> None:
    if value < 0:
        raise DomainError(N_("The amount must not be negative."), field=field)


def daily_wage(monthly_wage: Decimal) -> Decimal:
    """One pay day's wage: month ÷ 21.75, to the fen."""
    _not_negative(monthly_wage, "monthly_wage")
    return to_fen(monthly_wage / MONTHLY_PAY_DAYS)


def hourly_wage(monthly_wage: Decimal) -> Decimal:
    """One hour's wage: month ÷ 174, to the fen."""
    _not_negative(monthly_wage, "monthly_wage")
    return to_fen(monthly_wage / MONTHLY_PAY_HOURS)


def overtime_pay(monthly_wage: Decimal, hours: Decimal, kind: OvertimeKind) -> Decimal:
    """Overtime for ``hours`` of one kind, from the exact hourly rate, to the fen."""
    _not_negative(monthly_wage, "monthly_wage")
    _not_negative(hours, "hours")
    return to_fen(monthly_wage / MONTHLY_PAY_HOURS * kind.multiplier * hours)


def absence_deduction(monthly_wage: Decimal, days: Decimal) -> Decimal:
    """Pay withheld for ``days`` of unpaid absence, to the fen.

    A month can hold up to 23 working days, more than the 21.75 basis, so the
    deduction is capped at the month's wage: absence never makes pay negative.
    """
    _not_negative(monthly_wage, "monthly_wage")
    _not_negative(days, "days")
    return min(to_fen(monthly_wage / MONTHLY_PAY_DAYS * days), to_fen(monthly_wage))

"""Money in yuan as Decimal, with the rounding rules payroll and insurance need.

Every amount that leaves a rule is rounded by one of these functions, so the
rounding is always stated where it happens.  Floats never enter.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import Enum

FEN = Decimal("0.01")
JIAO = Decimal("0.1")
YUAN = Decimal("1")
ZERO = Decimal("0.00")


class Rounding(str, Enum):
    """How a city rounds one contribution item."""

    FEN_HALF_UP = "fen_half_up"  # the common default: to the fen, half up
    JIAO_UP = "jiao_up"  # Shanghai social insurance, 见分进角
    YUAN_HALF_UP = "yuan_half_up"  # Shanghai housing fund, 精确到元，四舍五入
    YUAN_UP = "yuan_up"  # Changchun housing fund, 遇零进整


def to_fen(amount: Decimal) -> Decimal:
    """Round to the fen, half up: the default for every amount."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def apply_rounding(amount: Decimal, rule: Rounding) -> Decimal:
    """Round an amount by a city's rule, always returning two decimal places."""
    if rule is Rounding.FEN_HALF_UP:
        rounded = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    elif rule is Rounding.JIAO_UP:
        rounded = amount.quantize(JIAO, rounding=ROUND_CEILING)
    elif rule is Rounding.YUAN_HALF_UP:
        rounded = amount.quantize(YUAN, rounding=ROUND_HALF_UP)
    elif rule is Rounding.YUAN_UP:
        rounded = amount.quantize(YUAN, rounding=ROUND_CEILING)
    else:  # pragma: no cover - the enum is closed
        raise ValueError(rule)
    return rounded.quantize(FEN)


def parse_yuan(text: str) -> Decimal:
    """Parse an amount typed by a person ("6,500", "6500.5", " 12 ") into yuan.

    Raises ValueError for anything that is not a finite number with at most
    two decimal places.
    """
    cleaned = text.strip().replace(",", "").replace("，", "")
    try:
        value = Decimal(cleaned)
    except ArithmeticError as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    try:  # quantize refuses numbers beyond the context's precision ("1e999999")
        rounded = value.quantize(FEN, rounding=ROUND_HALF_UP)
    except ArithmeticError as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
    if value != rounded:
        raise ValueError(f"more than two decimal places: {text!r}")
    return rounded

"""Tax on one-off compensation for leaving (财税〔2018〕164号 Art. 5(1))."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.errors import DomainError
from service.payroll.leavers.severance_tax import severance_tax

# Beijing's 2024 average monthly wage 11,937 (labor-law-cn.md §3) × 12 = 143,244 a year; 3× = 429,732.
AVERAGE_ANNUAL = Decimal("143244")


def test_below_the_exemption_no_tax() -> None:
    result = severance_tax(Decimal("100000"), AVERAGE_ANNUAL)
    assert result.exempt_limit == Decimal("429732.00")
    assert (result.exempt, result.taxable, result.tax) == (Decimal("100000.00"), Decimal("0.00"), Decimal("0.00"))
    assert result.net == Decimal("100000.00")


@pytest.mark.parametrize(
    ("payment", "taxable", "tax"),
    [
        ("429732.00", "0.00", "0.00"),  # exactly 3×: all exempt
        ("429732.01", "0.01", "0.00"),  # a fen over: 3% of 0.01 rounds to nothing
        ("430732.00", "1000.00", "30.00"),  # 1,000 over: 3%
    ],
)
def test_at_the_edge_of_the_exemption(payment: str, taxable: str, tax: str) -> None:
    result = severance_tax(Decimal(payment), AVERAGE_ANNUAL)
    assert (result.taxable, result.tax) == (Decimal(taxable), Decimal(tax))


def test_above_the_exemption_the_excess_is_taxed_on_its_own_by_the_annual_table() -> None:
    # 500,000 − 429,732 = 70,268: 10% band, 70,268 × 10% − 2,520 = 4,506.80, no 60,000 deducted.
    result = severance_tax(Decimal("500000"), AVERAGE_ANNUAL)
    assert (result.exempt, result.taxable) == (Decimal("429732.00"), Decimal("70268.00"))
    assert result.tax == Decimal("4506.80")
    assert result.net == Decimal("495493.20")
    assert result.basis.startswith("财税〔2018〕164号 Art. 5(1)")


def test_a_large_excess_reaches_the_top_band() -> None:
    # 1,500,000 − 429,732 = 1,070,268: 45% − 181,920 = 299,700.60.
    assert severance_tax(Decimal("1500000"), AVERAGE_ANNUAL).tax == Decimal("299700.60")


def test_negative_amounts_are_refused() -> None:
    with pytest.raises(DomainError) as refused:
        severance_tax(Decimal("-1"), AVERAGE_ANNUAL)
    assert refused.value.field == "payment"
    with pytest.raises(DomainError) as refused:
        severance_tax(Decimal("1"), Decimal("-1"))
    assert refused.value.field == "local_average_annual_wage"

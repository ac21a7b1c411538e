"""Typed numbers that used to escape as 500s: superscript digits, huge strings, huge exponents."""

from __future__ import annotations

import pytest

from service.errors import DomainError
from service.insurance.inputs import parse_percent
from service.money import parse_yuan
from service.web.forms import whole_number


@pytest.mark.parametrize("text", ["²", "1" * 5000, "", "0", "-1", "1.5", "١٢"])
def test_whole_number_refuses_what_int_cannot_take(text: str) -> None:
    assert whole_number(text) is None


def test_whole_number_takes_plain_digits_below_the_limit() -> None:
    assert whole_number("42") == 42
    assert whole_number("100000", below=100_000) is None


@pytest.mark.parametrize("text", ["1e999999", "1" * 5000, "NaN", "Infinity"])
def test_parse_yuan_raises_value_error_for_huge_numbers(text: str) -> None:
    with pytest.raises(ValueError):
        parse_yuan(text)


@pytest.mark.parametrize("text", ["1e999999", "1" * 5000, "x"])
def test_parse_percent_refuses_huge_numbers_next_to_the_field(text: str) -> None:
    with pytest.raises(DomainError) as refused:
        parse_percent(text, "housing_fund_rate", 2)
    assert refused.value.field == "housing_fund_rate"

"""The bank account's pure rules: the number's spelling, its mask, the card check digit, the name rule."""

from __future__ import annotations

import pytest

from service.errors import DomainError
from service.workforce.bank_accounts.rules import (
    BankAccountInputErrors,
    fails_card_check,
    mask_account_number,
    parse_account_number,
    parse_bank_account,
)


def test_a_number_is_read_as_its_digits_and_anything_else_is_refused() -> None:
    assert parse_account_number(" 6222 0202-0011 2233 ") == "6222020200112233"
    assert parse_account_number("６２２２０２０２００１１") == "622202020011"
    assert parse_account_number(12345678901.0) == "12345678901"
    for bad in ("6222O20200112233", "62220202001122x3", "1234567", "1" * 31, ""):
        with pytest.raises(DomainError):
            parse_account_number(bad)
    with pytest.raises(DomainError, match="as text"):
        parse_account_number(6.222020200112233e15)  # an Excel number cell has lost its last digits


def test_the_mask_keeps_the_first_and_last_four_digits() -> None:
    assert mask_account_number("6222020200112233") == "6222********2233"
    assert mask_account_number("12345678") == "12345678"
    with pytest.raises(ValueError):
        mask_account_number("62220202x0112233")


def test_the_luhn_check_digit_and_which_numbers_it_applies_to() -> None:
    assert fails_card_check("4111111111111112")  # card length, wrong check digit
    assert not fails_card_check("4111111111111111")
    assert not fails_card_check("12345678901")  # not a card's length: no check digit to expect


def test_an_account_in_another_name_needs_a_reason() -> None:
    values = {"account_number": "4111111111111111", "bank_name": "中国工商银行", "branch": "", "account_name": "李 晓明"}
    assert parse_bank_account(values, worker_name="李晓明").name_reason is None  # same name, spaces aside
    with pytest.raises(BankAccountInputErrors) as refused:
        parse_bank_account(values | {"account_name": "李大山"}, worker_name="李晓明")
    assert [e.field for e in refused.value.errors] == ["name_reason"]
    kept = parse_bank_account(values | {"account_name": "李大山", "name_reason": "父亲代收"}, worker_name="李晓明")
    assert kept.name_reason == "父亲代收"
    with pytest.raises(BankAccountInputErrors) as every:
        parse_bank_account({"account_number": "abc"}, worker_name="李晓明")
    assert {e.field for e in every.value.errors} == {"account_number", "bank_name", "account_name"}

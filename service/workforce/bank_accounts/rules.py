"""Checking a bank account as a person typed it, on a form, in the portal or in a sheet.

Pure: raw values in, a ``BankAccountInput`` or every problem out, each a
DomainError naming its field, so the HR form, the portal and the Excel
import refuse the same things with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from stdnum import luhn

from service.errors import N_, DomainError, InputErrors
from service.workforce.roster.input import _text

FIELDS = ("account_number", "bank_name", "branch", "account_name", "name_reason")

# Mainland account numbers: bank cards have 16-19 digits (ISO/IEC 7812), passbook and other
# settlement accounts of the large banks run from about 10 to 25.  The bounds refuse a half-typed
# number and a pasted ID number with room to spare.
MIN_DIGITS, MAX_DIGITS = 8, 30
CARD_LENGTHS = range(16, 20)
# Excel keeps numbers as doubles, exact up to 15 digits: a longer number in a numeric cell is already wrong.
_EXACT_IN_A_NUMBER_CELL = 10**15
_SEPARATORS = re.compile(r"[\s\-]")
_DIGITS = re.compile(r"[0-9]+")
_WHITESPACE = re.compile(r"\s+")

BANK_NAME_MAX, BRANCH_MAX, ACCOUNT_NAME_MAX, REASON_MAX = 60, 100, 50, 200


@dataclass(frozen=True)
class BankAccountInput:
    account_number: str  # digits only, the one spelling stored, compared and blind-indexed
    bank_name: str
    branch: str  # may be empty: a transfer inside one bank needs no branch
    account_name: str
    name_reason: str | None  # set only when the account is not in the worker's own name


class BankAccountInputErrors(InputErrors):
    pass


def parse_account_number(value: object) -> str:
    """The account number's digits.  Spaces and dashes (as printed on cards) are dropped and
    full-width digits read as digits; a letter or any other character is refused."""
    if isinstance(value, (int, float)) and abs(value) >= _EXACT_IN_A_NUMBER_CELL:
        raise DomainError(
            N_("Type the account number as text: as a number Excel loses its last digits."), field="account_number"
        )
    number = _SEPARATORS.sub("", _text(value))
    if not number:
        raise DomainError(N_("Enter the account number."), field="account_number")
    if not _DIGITS.fullmatch(number):
        raise DomainError(N_("An account number may contain only digits."), field="account_number")
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        raise DomainError(
            N_("An account number has {low} to {high} digits; this one has {length}."),
            field="account_number",
            low=MIN_DIGITS,
            high=MAX_DIGITS,
            length=len(number),
        )
    return number


def mask_account_number(number: str) -> str:
    """The first and last four digits, the rest hidden: what a bank prints on a receipt."""
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS or not _DIGITS.fullmatch(number):
        raise ValueError("can only mask a canonical account number")
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


def fails_card_check(number: str) -> bool:
    """A number as long as a card's that fails the card check digit: probably mistyped, but only
    probably, since a passbook or settlement account of that length has no such digit."""
    return len(number) in CARD_LENGTHS and not luhn.is_valid(number)  # ISO/IEC 7812, mod 10


CARD_CHECK_WARNING = N_(
    "This number is as long as a bank card's but fails the card check digit (Luhn): check it. "
    "An account that is not a card may fail the check and still be right."
)


def same_name(a: str, b: str) -> bool:
    """Names compared as people write them: full- or half-width, with or without spaces."""
    return (
        _WHITESPACE.sub("", unicodedata.normalize("NFKC", a)).casefold()
        == _WHITESPACE.sub("", unicodedata.normalize("NFKC", b)).casefold()
    )


def _limited(values: Mapping[str, object], field: str, most: int, required_message: str | None) -> str:
    text = _text(values.get(field))
    if not text and required_message:
        raise DomainError(required_message, field=field)
    if len(text) > most:
        raise DomainError(N_("At most {count} characters."), field=field, count=most)
    return text


def parse_bank_account(values: Mapping[str, object], *, worker_name: str) -> BankAccountInput:
    """Check every field; raise BankAccountInputErrors with each problem.

    The account must be in the worker's own name, or carry the reason it is
    not (a family member collecting the pay, 代收): a wage paid into a
    stranger's account is the classic payroll fraud.
    """
    problems: list[DomainError] = []

    def checked(parse, *args):
        try:
            return parse(*args)
        except DomainError as error:
            problems.append(error)
            return ""

    number = checked(parse_account_number, values.get("account_number"))
    bank_name = checked(_limited, values, "bank_name", BANK_NAME_MAX, N_("Enter the bank's name."))
    branch = checked(_limited, values, "branch", BRANCH_MAX, None)
    account_name = checked(_limited, values, "account_name", ACCOUNT_NAME_MAX, N_("Enter the account holder's name."))
    reason = checked(_limited, values, "name_reason", REASON_MAX, None)
    if account_name and same_name(account_name, worker_name):
        reason = ""
    elif account_name and not reason:
        problems.append(
            DomainError(
                N_("The account is not in {name}'s name: give the reason (for example 代收 by a family member)."),
                field="name_reason",
                name=worker_name,
            )
        )
    if problems:
        raise BankAccountInputErrors(problems)
    return BankAccountInput(number, bank_name, branch, account_name, reason or None)


def refuse_unconfirmed_card_check(data: BankAccountInput, confirmed: bool) -> None:
    """A number failing the card check digit is saved only once the person confirmed it (a warning, not an error)."""
    if fails_card_check(data.account_number) and not confirmed:
        raise DomainError(CARD_CHECK_WARNING, field="account_number")

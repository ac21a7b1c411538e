"""Checking a service agreement's, a post's and the clauses' fields as typed.
Pure: raw strings in, typed input or every problem out (InputErrors)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from service.bureaus.agreements.rules import Item
from service.bureaus.bureau_input import clean, short_text
from service.bureaus.models import FeeBasis, PostNature
from service.dates import parse_date
from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan

AMOUNT_MAX = Decimal("1000000")
CLAUSE_MAX = 4000


@dataclass(frozen=True)
class AgreementInput:
    number: str
    start_date: date
    end_date: date
    work_place: str
    working_hours: str
    fee_basis: FeeBasis
    management_fee: Decimal | None
    fixed_price: Decimal | None
    payment_terms: str
    payment_due_days: int | None
    note: str


@dataclass(frozen=True)
class PostInput:
    name: str
    nature: PostNature
    headcount: int
    work_place: str
    fee_basis: FeeBasis | None
    management_fee: Decimal | None
    fixed_price: Decimal | None


def amount(value: object, field: str, *, required: bool = False) -> Decimal | None:
    text = clean(value)
    if not text:
        if required:
            raise DomainError(N_("Enter an amount."), field=field)
        return None
    try:
        parsed = parse_yuan(text)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 350 or 350.50."), field=field) from None
    if parsed < 0:
        raise DomainError(N_("The amount cannot be negative."), field=field)
    if parsed >= AMOUNT_MAX:
        raise DomainError(N_("At most {limit}."), field=field, limit=AMOUNT_MAX)
    return parsed


def whole(value: object, field: str, low: int, high: int, *, required: bool) -> int | None:
    text = clean(value)
    if not text:
        if required:
            raise DomainError(N_("Enter a whole number."), field=field)
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 7 or not low <= int(text) <= high:
        raise DomainError(N_("Enter a whole number from {low} to {high}."), field=field, low=low, high=high)
    return int(text)


_Choice = TypeVar("_Choice", bound=Enum)


def _choice(value: object, enum: type[_Choice], field: str, *, required: bool = True) -> _Choice | None:
    text = clean(value)
    if not text and not required:
        return None
    if text not in enum._value2member_map_:
        raise DomainError(N_("Choose a value."), field=field)
    return enum(text)


def _collect(raw: Mapping[str, object], checks: dict) -> tuple[dict, list[DomainError]]:
    values, errors = {}, []
    for field, check in checks.items():
        try:
            values[field] = check(raw.get(field))
        except DomainError as error:
            errors.append(error)
    return values, errors


def parse_agreement(raw: Mapping[str, object]) -> AgreementInput:
    values, errors = _collect(
        raw,
        {
            "number": lambda v: short_text(v, "number", 40),
            "start_date": lambda v: parse_date(v, "start_date"),
            "end_date": lambda v: parse_date(v, "end_date"),
            "work_place": lambda v: short_text(v, "work_place", 200),
            "working_hours": lambda v: short_text(v, "working_hours", 200),
            "fee_basis": lambda v: _choice(v, FeeBasis, "fee_basis"),
            "management_fee": lambda v: amount(v, "management_fee"),
            "fixed_price": lambda v: amount(v, "fixed_price"),
            "payment_terms": lambda v: short_text(v, "payment_terms", 500),
            "payment_due_days": lambda v: whole(v, "payment_due_days", 0, 366, required=False),
            "note": lambda v: short_text(v, "note", 500),
        },
    )
    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append(DomainError(N_("The end date is before the start date."), field="end_date"))
    if errors:
        raise InputErrors(errors)
    return AgreementInput(**values)


def parse_post(raw: Mapping[str, object]) -> PostInput:
    values, errors = _collect(
        raw,
        {
            "name": lambda v: short_text(v, "name", 40, required=True),
            "nature": lambda v: _choice(v, PostNature, "nature"),
            "headcount": lambda v: whole(v, "headcount", 1, 100000, required=True),
            "work_place": lambda v: short_text(v, "work_place", 200),
            "fee_basis": lambda v: _choice(v, FeeBasis, "fee_basis", required=False),
            "management_fee": lambda v: amount(v, "management_fee"),
            "fixed_price": lambda v: amount(v, "fixed_price"),
        },
    )
    if errors:
        raise InputErrors(errors)
    return PostInput(**values)


def parse_clauses(raw: Mapping[str, object]) -> dict[Item, str]:
    """{item: body} for every item with text (an empty box removes the clause)."""
    bodies, errors = {}, []
    for item in Item:
        field = f"clause_{item.value}"
        text = str(raw.get(field) or "").replace("\r\n", "\n").strip()
        if len(text) > CLAUSE_MAX:
            errors.append(DomainError(N_("At most {limit} characters."), field=field, limit=CLAUSE_MAX))
        elif "<" in text or ">" in text:
            errors.append(DomainError(N_("Angle brackets (< >) are not allowed here."), field=field))
        elif text:
            bodies[item] = text
    if errors:
        raise InputErrors(errors)
    return bodies

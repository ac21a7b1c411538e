"""Checking training, certificate and discipline records as a person typed
them.  Pure: raw strings in, a dataclass or every problem (with its field) out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from service.errors import N_, DomainError, InputErrors
from service.money import parse_yuan
from service.workforce.daily_models import DisciplineKind, TrainingResult
from service.workforce.roster.input import parse_date

TRAINING_FIELDS = ("course", "provider", "trained_on", "hours", "result")
CERTIFICATE_FIELDS = ("name", "number", "issued_on", "valid_until")
DISCIPLINE_FIELDS = ("kind", "occurred_on", "reason", "amount", "ends_on")
MAX_TRAINING_HOURS = Decimal("999.9")
MAX_FINE = Decimal("100000")
EARLIEST = date(1950, 1, 1)


class RecordInputErrors(InputErrors):
    """Every problem with a training, certificate or discipline form."""


@dataclass(frozen=True)
class TrainingInput:
    course: str
    provider: str
    trained_on: date
    hours: Decimal
    result: TrainingResult


@dataclass(frozen=True)
class CertificateInput:
    name: str
    number: str
    issued_on: date
    valid_until: date


@dataclass(frozen=True)
class DisciplineInput:
    kind: DisciplineKind
    occurred_on: date
    reason: str
    amount: Decimal | None
    ends_on: date | None


def _text(raw: Mapping[str, object], field: str, limit: int, *, required: bool) -> str:
    value = raw.get(field)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise DomainError(N_("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
    return text


def _stripped(raw: Mapping[str, object], field: str) -> str:
    value = raw.get(field)
    return value.strip() if isinstance(value, str) else ""


def _past_date(raw: Mapping[str, object], field: str, today: date) -> date:
    day = parse_date(raw.get(field), field)
    if day < EARLIEST:
        raise DomainError(N_("Enter a date like 2024-03-01."), field=field)
    if day > today:
        raise DomainError(N_("This date is in the future."), field=field)
    return day


def _choice(raw: Mapping[str, object], field: str, enum: type) -> object:
    value = raw.get(field)
    try:
        return enum(value.strip() if isinstance(value, str) else "")
    except ValueError:
        raise DomainError(N_("Choose a value."), field=field) from None


def _collect(checks: dict[str, Callable[[], object]]) -> tuple[dict[str, object], list[DomainError]]:
    values: dict[str, object] = {}
    errors: list[DomainError] = []
    for field, check in checks.items():
        try:
            values[field] = check()
        except DomainError as error:
            errors.append(error)
    return values, errors


def _hours(raw: Mapping[str, object]) -> Decimal:
    text = raw.get("hours")
    try:
        hours = Decimal(text.strip() if isinstance(text, str) else "")
    except InvalidOperation:
        raise DomainError(N_("Enter a number."), field="hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_TRAINING_HOURS:
        raise DomainError(N_("Enter the hours, more than 0 and at most {limit}."), field="hours", limit=MAX_TRAINING_HOURS)
    if hours != hours.quantize(Decimal("0.1")):
        raise DomainError(N_("Use at most one decimal place."), field="hours")
    return hours


def parse_training(raw: Mapping[str, object], *, today: date) -> TrainingInput:
    values, errors = _collect(
        {
            "course": lambda: _text(raw, "course", 100, required=True),
            "provider": lambda: _text(raw, "provider", 100, required=False),
            "trained_on": lambda: _past_date(raw, "trained_on", today),
            "hours": lambda: _hours(raw),
            "result": lambda: _choice(raw, "result", TrainingResult),
        }
    )
    if errors:
        raise RecordInputErrors(errors)
    return TrainingInput(**values)  # type: ignore[arg-type]


def parse_certificate(raw: Mapping[str, object], *, today: date) -> CertificateInput:
    values, errors = _collect(
        {
            "name": lambda: _text(raw, "name", 100, required=True),
            "number": lambda: _text(raw, "number", 60, required=True),
            "issued_on": lambda: _past_date(raw, "issued_on", today),
            "valid_until": lambda: parse_date(raw.get("valid_until"), "valid_until"),
        }
    )
    issued, until = values.get("issued_on"), values.get("valid_until")
    if isinstance(issued, date) and isinstance(until, date):
        if until < issued:
            errors.append(DomainError(N_("The certificate cannot expire before it was issued."), field="valid_until"))
        elif until > issued + timedelta(days=366 * 20):
            errors.append(DomainError(N_("Valid for more than twenty years? Check the date."), field="valid_until"))
    if errors:
        raise RecordInputErrors(errors)
    return CertificateInput(**values)  # type: ignore[arg-type]


def parse_discipline(raw: Mapping[str, object], *, today: date) -> DisciplineInput:
    values, errors = _collect(
        {
            "kind": lambda: _choice(raw, "kind", DisciplineKind),
            "occurred_on": lambda: _past_date(raw, "occurred_on", today),
            "reason": lambda: _text(raw, "reason", 500, required=True),
        }
    )
    kind = values.get("kind")
    amount_text = _stripped(raw, "amount")
    ends_text = _stripped(raw, "ends_on")
    amount: Decimal | None = None
    ends_on: date | None = None
    if kind is DisciplineKind.FINE:
        if not amount_text:
            errors.append(DomainError(N_("Enter the amount of the fine."), field="amount"))
        else:
            try:
                amount = parse_yuan(amount_text)
            except ValueError:
                errors.append(DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="amount"))
            else:
                if not Decimal("0") < amount <= MAX_FINE:
                    errors.append(
                        DomainError(
                            N_("The fine must be more than 0 and at most {limit} yuan."), field="amount", limit=MAX_FINE
                        )
                    )
                    amount = None
    elif amount_text:
        errors.append(DomainError(N_("Only a fine has an amount."), field="amount"))
    if kind is DisciplineKind.SUSPENSION and ends_text:
        try:
            ends_on = parse_date(ends_text, "ends_on")
        except DomainError as error:
            errors.append(error)
        else:
            occurred = values.get("occurred_on")
            if isinstance(occurred, date) and ends_on < occurred:
                errors.append(DomainError(N_("The suspension cannot end before it starts."), field="ends_on"))
    elif ends_text and kind is not None:
        errors.append(DomainError(N_("Only a suspension has an end date."), field="ends_on"))
    if errors:
        raise RecordInputErrors(errors)
    return DisciplineInput(amount=amount, ends_on=ends_on, **values)  # type: ignore[arg-type]

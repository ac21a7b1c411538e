"""Checking a labour contract's fields as a person typed them, on a form or in a sheet.

Pure: raw strings (or Excel cell values) in, a ``ContractInput`` or every
problem out, each a DomainError naming its field.  The form and the Excel
import both go through ``parse_contract``, so they refuse the same things with
the same words.  Once every field reads, the terms go through
``contracts.terms.refuse_impossible_terms`` against the worker's other
contracts (end before start, probation outside the term, overlaps).

Form fields are named after the rules' fields (``start``, ``end``,
``probation_end``...), so a rule's refusal lands next to the right input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from service.errors import N_, DomainError, InputErrors
from service.money import ZERO, parse_yuan
from service.workforce.contracts import terms
from service.workforce.contracts.severance import TerminationReason
from service.workforce.models import ContractType, RenewalDecision

# The private helpers of the roster's checks are shared on purpose: a name, a
# choice or a date is refused with the same words on every form.
from service.workforce.roster.input import _choice, _short_text, _text, parse_date

FIELDS = (
    "contract_type",
    "start",
    "end",
    "probation_end",
    "probation_wage",
    "wage",
    "post",
    "work_place",
    "client_bureau",
    "signed_on",
)

# A monthly wage above this is a typing error (and would not fit numeric(12, 2) far above).
MAXIMUM_MONTHLY_WAGE = Decimal("1000000")


@dataclass(frozen=True)
class ContractInput:
    contract_type: ContractType
    start: date
    end: date | None
    probation_end: date | None
    probation_wage: Decimal | None
    wage: Decimal
    post: str
    work_place: str
    bureau_id: int  # the client bureau, named on the form or sheet (``client_bureau``)
    signed_on: date | None

    def terms(self) -> terms.Contract:
        return terms.Contract(
            type=terms.ContractType(self.contract_type.value),
            start=self.start,
            end=self.end,
            wage=self.wage,
            probation_end=self.probation_end,
            probation_wage=self.probation_wage,
        )


class ContractInputErrors(InputErrors):
    """Every problem with a contract form or sheet row."""


def _optional_date(value: object, field: str) -> date | None:
    if isinstance(value, date) or _text(value):
        return parse_date(value, field)
    return None


def parse_amount(value: object, field: str, *, required: bool) -> Decimal | None:
    """Yuan typed on a form ("3,500.50") or read from a sheet (3500.5)."""
    if isinstance(value, bool):
        value = ""
    text = _text(value)
    if not text:
        if required:
            raise DomainError(N_("Enter an amount in yuan, like 3500 or 3500.50."), field=field)
        return None
    try:
        amount = parse_yuan(text)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 3500 or 3500.50."), field=field) from None
    if amount < ZERO:
        raise DomainError(N_("The amount must not be negative."), field=field)
    if amount > MAXIMUM_MONTHLY_WAGE:
        raise DomainError(
            N_("A monthly wage above {limit} yuan is not plausible; check the amount."),
            field=field,
            limit=MAXIMUM_MONTHLY_WAGE,
        )
    return amount


def _wage(value: object) -> Decimal:
    amount = parse_amount(value, "wage", required=True)
    if amount == ZERO:
        raise DomainError(N_("The contract wage must be more than zero."), field="wage")
    return amount  # type: ignore[return-value]


def _signed_on(value: object, today: date, field: str = "signed_on") -> date | None:
    signed_on = _optional_date(value, field)
    if signed_on is not None and signed_on > today:
        raise DomainError(N_("The signing date cannot be in the future."), field=field)
    return signed_on


def _labels_of(labels: Mapping[str, Enum], enum: type[Enum]) -> dict[str, Enum]:
    return {text: member for text, member in labels.items() if isinstance(member, enum)}


def _bureau(value: object, bureaus: Mapping[str, int]) -> int:
    name = _short_text(value, "client_bureau", 80, required=True)
    if name not in bureaus:
        raise DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=name)
    return bureaus[name]


def parse_contract(
    raw: Mapping[str, object],
    *,
    today: date,
    bureaus: Mapping[str, int],
    others: Iterable[terms.Contract] = (),
    labels: Mapping[str, Enum] | None = None,
) -> ContractInput:
    """Check every field, then the terms against ``others`` (the worker's
    other contracts); raise ContractInputErrors with all problems found.

    ``bureaus`` (the tenant's, name -> id) turns the client bureau's name into
    its record's id.  ``labels`` maps display labels (Chinese and English) to
    enum members, so a sheet may say 固定期限 or fixed_term.
    """
    type_labels = _labels_of(labels or {}, ContractType)
    values: dict[str, object] = {}
    errors: list[DomainError] = []
    checks = {
        "contract_type": lambda v: _choice(v, ContractType, type_labels, "contract_type"),
        "start": lambda v: parse_date(v, "start"),
        "end": lambda v: _optional_date(v, "end"),
        "probation_end": lambda v: _optional_date(v, "probation_end"),
        "probation_wage": lambda v: parse_amount(v, "probation_wage", required=False),
        "wage": _wage,
        "post": lambda v: _short_text(v, "post", 60, required=True),
        "work_place": lambda v: _short_text(v, "work_place", 120, required=False),
        "client_bureau": lambda v: _bureau(v, bureaus),
        "signed_on": lambda v: _signed_on(v, today),
    }
    for field, check in checks.items():
        try:
            values[field] = check(raw.get(field))
        except DomainError as error:
            errors.append(error)
    if values.get("probation_wage") is not None and "probation_end" in values and values["probation_end"] is None:
        errors.append(DomainError(N_("Probation pay needs the date probation ends."), field="probation_wage"))
    if errors:
        raise ContractInputErrors(errors)
    values["bureau_id"] = values.pop("client_bureau")
    contract = ContractInput(**values)  # type: ignore[arg-type]
    try:
        terms.refuse_impossible_terms(contract.terms(), others)
    except DomainError as error:
        raise ContractInputErrors([error]) from error
    return contract


def parse_signing(raw: Mapping[str, object], *, today: date) -> date:
    try:
        signed_on = _signed_on(raw.get("signed_on"), today)
        if signed_on is None:
            raise DomainError(N_("Enter a date."), field="signed_on")
    except DomainError as error:
        raise ContractInputErrors([error]) from error
    return signed_on


def parse_renewal_decision(raw: Mapping[str, object]) -> RenewalDecision:
    try:
        return _choice(raw.get("renewal_decision"), RenewalDecision, {}, "renewal_decision")  # type: ignore[return-value]
    except DomainError as error:
        raise ContractInputErrors([error]) from error


@dataclass(frozen=True)
class TerminationInput:
    reason: TerminationReason
    terminated_on: date


def parse_termination(raw: Mapping[str, object]) -> TerminationInput:
    values: dict[str, object] = {}
    errors: list[DomainError] = []
    checks = {
        "reason": lambda v: _choice(v, TerminationReason, {}, "reason"),
        "terminated_on": lambda v: parse_date(v, "terminated_on"),
    }
    for field, check in checks.items():
        try:
            values[field] = check(raw.get(field))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise ContractInputErrors(errors)
    return TerminationInput(**values)  # type: ignore[arg-type]


def refuse_impossible_termination(contract: terms.Contract, reason: TerminationReason, terminated_on: date) -> None:
    """A termination no real contract can have: before its start, after its end,
    or a reason the contract's type cannot have."""
    if terminated_on < contract.start:
        raise DomainError(N_("The contract cannot end before it starts."), field="terminated_on")
    if contract.end is not None and terminated_on > contract.end:
        raise DomainError(
            N_("The termination date is after the contract's end date ({end})."),
            field="terminated_on",
            end=contract.end,
        )
    expiry = (TerminationReason.EXPIRY_NOT_RENEWED, TerminationReason.EXPIRY_RENEWAL_DECLINED)
    if reason in expiry and contract.end is None:
        raise DomainError(N_("A contract without an end date does not expire."), field="reason")
    if reason in expiry and terminated_on != contract.end:
        raise DomainError(N_("A contract ends by expiry on its end date, {end}."), field="terminated_on", end=contract.end)
    if reason is TerminationReason.TASK_COMPLETED and contract.type is not terms.ContractType.TASK_BASED:
        raise DomainError(N_("Only a task-based contract ends when its task is completed."), field="reason")

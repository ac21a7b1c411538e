"""Where a stored contract stands on a day, and its terms as the rules see them.

Pure: a ``Contract`` row (or anything with the same attributes) and a date
in, plain values out.  ``status`` stores what people decided (draft, signed,
renewed, terminated); whether a signed contract has started, is in force or
has run out follows from its dates and is never stored, so it cannot go stale.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from service.errors import N_
from service.workforce.contracts import terms
from service.workforce.models import Contract, ContractStatus


class ContractState(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"  # signed, its first day still ahead
    ACTIVE = "active"
    EXPIRED = "expired"  # signed, past its end date, neither renewed nor terminated
    RENEWED = "renewed"
    TERMINATED = "terminated"


# Kept apart from models.LABELS on purpose: str enums with the same member
# name and value (WorkerStatus.ACTIVE, ContractStatus.DRAFT) compare and hash
# equal, so sharing one dict would make them overwrite each other.
STATE_LABELS: dict[ContractState, str] = {
    ContractState.DRAFT: N_("Draft"),
    ContractState.SIGNED: N_("Signed, not started yet"),
    ContractState.ACTIVE: N_("In force"),
    ContractState.EXPIRED: N_("Expired"),
    ContractState.RENEWED: N_("Renewed"),
    ContractState.TERMINATED: N_("Terminated"),
}

# The badge colours app.css already has.
STATE_BADGES: dict[ContractState, str] = {
    ContractState.DRAFT: "",
    ContractState.SIGNED: "badge-candidate",
    ContractState.ACTIVE: "badge-active",
    ContractState.EXPIRED: "badge-suspended",
    ContractState.RENEWED: "badge-left",
    ContractState.TERMINATED: "badge-left",
}


def contract_state(contract: Contract, today: date) -> ContractState:
    if contract.status is ContractStatus.DRAFT:
        return ContractState.DRAFT
    if contract.status is ContractStatus.RENEWED:
        return ContractState.RENEWED
    if contract.status is ContractStatus.TERMINATED:
        return ContractState.TERMINATED
    if today < contract.start_date:
        return ContractState.SIGNED
    if contract.end_date is not None and today > contract.end_date:
        return ContractState.EXPIRED
    return ContractState.ACTIVE


def last_day(contract: Contract) -> date | None:
    """The contract's real last day: the termination date once terminated, else its end date."""
    if contract.terminated_on is not None:
        return contract.terminated_on
    return contract.end_date


def as_terms(contract: Contract, *, to_last_day: bool = False) -> terms.Contract:
    """The stored contract as the pure rules take it.

    As signed by default (the terms a contract is checked on); with
    ``to_last_day``, ending on its real last day, which is what another
    contract may not overlap: a contract terminated early frees the days after.
    """
    return terms.Contract(
        type=terms.ContractType(contract.contract_type.value),
        start=contract.start_date,
        end=last_day(contract) if to_last_day else contract.end_date,
        wage=contract.wage,
        probation_end=contract.probation_end,
        probation_wage=contract.probation_wage,
    )

"""Reads the contract pages need beyond the records themselves: what the law says about a stored
contract, and the compensation the termination form shows for the day chosen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.database.ids import id_of
from service.errors import DomainError
from service.money import ZERO
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.compensation import SeveranceFigure, city_figures
from service.workforce.contracts.state import as_terms
from service.workforce.contracts.terms import Finding, check_contract
from service.workforce.models import Contract, Worker
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class ContractCheck:
    findings: list[Finding]  # the terms the law forbids
    impossible: DomainError | None  # a legacy record the form would refuse today: no findings then
    minimum_wage_known: bool  # whether the city's minimum wage was known to check the probation pay


def contract_check(db: TenantSession, worker: Worker, contract: Contract) -> ContractCheck:
    figures = city_figures(db, worker.city, contract.start_date)
    minimum_wage = figures.minimum_wage_monthly if figures else ZERO
    others = contracts.other_terms(db, id_of(worker), but=[contract.id])
    try:
        findings = check_contract(as_terms(contract), others, minimum_wage)
    except DomainError as impossible:
        return ContractCheck([], impossible, figures is not None)
    return ContractCheck(findings, None, figures is not None)


@dataclass(frozen=True)
class SeverancePreview:
    figure: SeveranceFigure | None
    refused: DomainError | None  # why the day chosen has no figure


def severance_preview(db: TenantSession, worker: Worker, on: date) -> SeverancePreview:
    try:
        return SeverancePreview(contracts.severance_on(db, worker, on), None)
    except DomainError as refused:
        return SeverancePreview(None, refused)

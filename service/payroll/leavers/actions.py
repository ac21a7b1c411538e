"""The only code that writes a leaver's settlement.

A settlement is recorded for a terminated contract and paid by the payroll
run of the month of its last day.  It may be recorded again (new terms, or
pay published since) while neither that month nor the month of the
settlement it replaces is published: a published final payslip is never
paid twice or taken back.  Every write is audited with before and after.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import col, select

from service.audit import Actor, record
from service.database.ids import id_of
from service.dates import add_months
from service.errors import N_, DomainError
from service.payroll.leavers import queries
from service.payroll.leavers.models import LeaverSettlement
from service.payroll.leavers.settlement import Settlement, SettlementTerms
from service.workforce.models import Contract, Worker
from tenants.isolation import TenantSession


def record_settlement(
    db: TenantSession, worker: Worker, contract: Contract, terms: SettlementTerms, *, actor: Actor
) -> Settlement:
    """Compute the settlement from the pay published and store it, replacing the contract's earlier one."""
    worker_id, contract_id = id_of(worker), id_of(contract)
    stored = db.exec(
        select(LeaverSettlement)
        .where(LeaverSettlement.tenant_id == db.tenant_id, LeaverSettlement.contract_id == contract_id)
        .with_for_update()
    ).first()
    if stored is not None and queries.month_published(db, stored.last_day, worker.bureau_id):
        raise DomainError(
            N_("The settlement was paid by the payroll of {month}, which is published: it can no longer change."),
            field="last_day",
            month=stored.last_day.isoformat()[:7],
        )
    settlement = queries.compute(db, worker, contract, terms)
    month = settlement.pay_month
    other = db.exec(
        select(LeaverSettlement.id).where(
            LeaverSettlement.tenant_id == db.tenant_id,
            LeaverSettlement.worker_id == worker_id,
            col(LeaverSettlement.contract_id) != contract_id,
            col(LeaverSettlement.last_day) >= month,
            col(LeaverSettlement.last_day) < add_months(month, 1),
        )
    ).first()
    if other is not None:  # one final payslip pays one settlement
        raise DomainError(
            N_("The worker already has a settlement paid in {month}, for another contract."),
            field="last_day",
            month=month.isoformat()[:7],
        )
    chosen = settlement.terms
    columns: dict[str, Any] = {
        "last_day": chosen.last_day,
        "termination_reason": settlement.termination.value,
        "kind": None if chosen.kind is None else chosen.kind.value,
        "kind_reason": chosen.kind_reason,
        "pre_2008_compensable": chosen.pre_2008_compensable,
        "pre_2008_explanation": chosen.pre_2008_explanation,
        "entitlement_days": settlement.annual_leave.entitlement_days,
        "entitlement_reason": chosen.entitlement_reason,
        "days_taken": chosen.days_taken,
        "annual_leave_pay": settlement.annual_leave.amount,
        "severance": settlement.severance_amount,
        "severance_tax": settlement.severance_tax_amount,
        "basis": settlement.basis(),
        "recorded_by": actor.label,
    }
    before = None if stored is None else stored.snapshot()
    if stored is None:
        row = LeaverSettlement(tenant_id=db.tenant_id, worker_id=worker_id, contract_id=contract_id, **columns)
    else:
        row = stored
        for name, value in columns.items():
            setattr(row, name, value)
        row.recorded_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    record(
        db,
        db.tenant_id,
        actor,
        "leaver_settlement.record",
        "leaver_settlement",
        row.id,
        before=before,
        after=row.snapshot() | {"basis": row.basis},
    )
    return settlement

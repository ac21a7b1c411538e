"""The only code that writes pay components (their per-worker-month amounts
are a payroll month's input: ``runs.amounts``).  Every change is
audited in the same transaction.

A component is never deleted (past payslips name its code): it is
deactivated, and its code stays taken.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from service.audit import Actor, record
from service.errors import N_, DomainError
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import ComponentDefinition, Method
from tenants.isolation import TenantSession


def list_components(db: TenantSession) -> list[PayComponent]:
    return list(
        db.exec(
            select(PayComponent)
            .where(PayComponent.tenant_id == db.tenant_id)
            .order_by(col(PayComponent.active).desc(), col(PayComponent.code))
        )
    )


def find_component(db: TenantSession, component_id: int) -> PayComponent | None:
    return db.get(PayComponent, (db.tenant_id, component_id))


def get_component(db: TenantSession, component_id: int) -> PayComponent:
    component = find_component(db, component_id)
    if component is None:
        raise DomainError(N_("This pay component does not exist."), field="component")
    return component


def _columns(definition: ComponentDefinition) -> dict:
    return {
        "label": definition.label,
        "kind": definition.kind.value,
        "method": definition.method.value,
        "amount": definition.amount,
        "taxable": definition.taxable,
        "counts_for_minimum_wage": definition.counts_for_minimum_wage,
        "bureau_id": definition.bureau_id,
        "formula": definition.formula,
    }


def define_component(db: TenantSession, definition: ComponentDefinition, *, actor: Actor) -> PayComponent:
    tenant_id = db.tenant_id
    clash = db.exec(
        select(PayComponent.id).where(PayComponent.tenant_id == tenant_id, PayComponent.code == definition.code)
    ).first()
    if clash is not None:
        raise DomainError(N_("The code {code} is already taken."), field="code", code=definition.code)
    component = PayComponent(tenant_id=tenant_id, code=definition.code, **_columns(definition))
    db.add(component)
    db.flush()
    record(db, tenant_id, actor, "pay_component.define", "pay_component", component.id, after=component.snapshot())
    return component


def update_component(
    db: TenantSession, component: PayComponent, definition: ComponentDefinition, *, actor: Actor
) -> PayComponent:
    """Everything but the code changes (past payslip lines keep the code)."""
    tenant_id = db.tenant_id
    if definition.code != component.code:
        raise DomainError(N_("A component's code cannot change."), field="code")
    before = component.snapshot()
    if Method(component.method) is Method.PER_WORKER_MONTH and definition.method is not Method.PER_WORKER_MONTH:
        imported = db.exec(
            select(PayComponentAmount.worker_id).where(
                PayComponentAmount.tenant_id == tenant_id, PayComponentAmount.component_id == component.id
            )
        ).first()
        if imported is not None:
            raise DomainError(N_("Amounts were imported for this component: define a new component instead."), field="method")
    for name, value in _columns(definition).items():
        setattr(component, name, value)
    component.updated_at = datetime.now(UTC)
    db.add(component)
    db.flush()
    record(
        db, tenant_id, actor, "pay_component.update", "pay_component", component.id, before=before, after=component.snapshot()
    )
    return component


def set_active(db: TenantSession, component: PayComponent, active: bool, *, actor: Actor) -> None:
    if component.active == active:
        return
    before = component.snapshot()
    component.active = active
    component.updated_at = datetime.now(UTC)
    db.add(component)
    db.flush()
    action = "pay_component.activate" if active else "pay_component.deactivate"
    record(db, db.tenant_id, actor, action, "pay_component", component.id, before=before, after=component.snapshot())

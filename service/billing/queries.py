"""What the billing page and the operator console read of plans, billing rows and Stripe events
(control-plane tables: any transaction sees them)."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from service.billing.models import Plan, StripeEvent, TenantBilling


# Billing rows and Stripe events are control-plane tables the operator console reads for any tenant, in a
# transaction bound to none: the tenant is an explicit argument here, not the session's.
def account(db: Session, tenant_id: uuid.UUID) -> TenantBilling | None:
    """The tenant's billing row, read without a lock (a page that then waits for Stripe must not hold one)."""
    return db.get(TenantBilling, tenant_id)


def plan(db: Session, code: str) -> Plan | None:
    return db.get(Plan, code)


def active_plans(db: Session) -> list[Plan]:
    return list(db.exec(select(Plan).where(Plan.active).order_by(col(Plan.sort_order))).all())


def recent_events(db: Session, tenant_id: uuid.UUID, limit: int = 20) -> list[StripeEvent]:
    return list(
        db.exec(
            select(StripeEvent)
            .where(StripeEvent.tenant_id == tenant_id)
            .order_by(col(StripeEvent.received_at).desc())
            .limit(limit)
        ).all()
    )

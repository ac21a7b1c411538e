"""What the operator console, the first-run guide and the support-access page read."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel import Session, col, select

from service.billing.models import Plan, SupportGrant, TenantBilling
from service.billing.subscriptions import bind_tenant
from tenants.models import Tenant


def tenants_with_billing(db: Session) -> list[tuple[Tenant, TenantBilling | None, Plan | None]]:
    """Every tenant, newest first, with its billing row and plan (None for a tenant made before billing)."""
    return list(
        db.exec(
            select(Tenant, TenantBilling, Plan)
            .join(TenantBilling, col(TenantBilling.tenant_id) == Tenant.id, isouter=True)
            .join(Plan, col(Plan.code) == TenantBilling.plan_code, isouter=True)
            .order_by(col(Tenant.created_at).desc())
        ).all()
    )


def tenant_by_slug(db: Session, slug: str) -> Tenant | None:
    return db.exec(select(Tenant).where(Tenant.slug == slug)).first()


# Read by the operator console across tenants as well as by the tenant's own page: the tenant stays explicit.
def support_grants(db: Session, tenant_id: uuid.UUID) -> list[SupportGrant]:
    """The tenant's support grants, newest first.  The console's transaction is bound to no tenant:
    it is bound to this one for the rest of the request (in the tenant's own transaction, a no-op)."""
    bind_tenant(db, tenant_id)
    return list(
        db.exec(select(SupportGrant).where(SupportGrant.tenant_id == tenant_id).order_by(col(SupportGrant.id).desc())).all()
    )


def support_grant(db: Session, tenant_id: uuid.UUID, grant_id: int) -> SupportGrant | None:
    """One of the tenant's support grants (binding the console's transaction to the tenant, as above)."""
    bind_tenant(db, tenant_id)
    return db.exec(select(SupportGrant).where(SupportGrant.tenant_id == tenant_id, SupportGrant.id == grant_id)).first()


def first_run_counts(db: Session) -> tuple[int, int]:
    """(workers, staff users) of the transaction's tenant: what the first-run guide ticks off."""
    workers = db.execute(text("select count(*) from workers")).scalar_one()
    staff = db.execute(text("select count(*) from staff_users")).scalar_one()
    return workers, staff

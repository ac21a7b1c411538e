"""What operators do to tenants and what tenant administrators do with
support grants.  Every change is audited in the tenant's own log, in the
transaction that makes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from service.audit import Actor, record
from service.billing import queries as billing_queries
from service.billing.models import SUBSCRIPTION_TO_TENANT, SupportGrant
from service.billing.subscriptions import billing_row, bind_tenant, ensure_stripe, open_account, set_tenant_status
from service.errors import N_, DomainError
from service.platform.provisioning import ProvisionedTenant, create_tenant
from service.settings import Settings
from tenants.isolation import TenantSession
from tenants.models import Tenant, TenantStatus

MAX_SUPPORT_HOURS = 72


def open_tenant(
    db: Session, settings: Settings, actor: Actor, *, slug: str, name: str, admin_email: str, plan: str
) -> ProvisionedTenant:
    """An operator creates a tenant on a plan, then Stripe is asked once (``paiqian billing sync`` retries).

    ``create_tenant`` opens the transaction bound to the new tenant itself (``db``, the console's, is bound
    to none and cannot write the tenant's rows): the billing row and the audit entry are written in it, with
    the registry row and the administrator, so a tenant never exists without the record of who created it."""
    if billing_queries.plan(db, plan) is None:
        raise DomainError(N_("Choose a plan."), field="plan")
    if "@" not in admin_email:
        raise DomainError(N_("Enter a valid email address."), field="admin_email")

    # create_tenant's populate hook: it hands over the new tenant's id with the session it opened for it
    def open_and_audit(tenant_db: Session, tenant_id: uuid.UUID) -> None:
        open_account(tenant_db, tenant_id, plan_code=plan, billing_email=admin_email)
        created = tenant_db.get_one(Tenant, tenant_id)  # already in the session: its slug as normalised
        record(tenant_db, tenant_id, actor, "tenant.create", "tenant", tenant_id, after={"slug": created.slug, "plan": plan})

    result = create_tenant(slug=slug, name=name, admin_email=admin_email, populate=open_and_audit)
    ensure_stripe(settings, result.tenant.id)  # failures are recorded on the billing row and retried
    return result


def suspend(db: Session, tenant: Tenant, actor: Actor, reason: str) -> None:
    if not reason.strip():
        raise DomainError(N_("Say why the tenant is suspended."), field="reason")
    billing = billing_row(db, tenant.id)
    billing.operator_suspended = True
    set_tenant_status(db, tenant, billing, TenantStatus.SUSPENDED, actor, reason.strip()[:300])


def reactivate(db: Session, tenant: Tenant, actor: Actor, now: datetime | None = None) -> None:
    """Lift an operator's suspension: the tenant goes back to what its subscription says."""
    now = now or datetime.now(UTC)
    billing = billing_row(db, tenant.id)
    billing.operator_suspended = False
    status = SUBSCRIPTION_TO_TENANT.get(billing.subscription_status or "")
    if status is None or status is TenantStatus.SUSPENDED:
        status = TenantStatus.TRIAL if billing.trial_ends_at and billing.trial_ends_at > now else TenantStatus.ACTIVE
    set_tenant_status(db, tenant, billing, status, actor, "reactivated by operator")


def grant_support(
    db: Session, tenant: Tenant, actor: Actor, *, reason: str, hours: int, now: datetime | None = None
) -> SupportGrant:
    """An operator opens support access: explicit (a reason), time-limited,
    audited, listed for the tenant's administrators, who can revoke it."""
    now = now or datetime.now(UTC)
    if not reason.strip():
        raise DomainError(N_("Say why support access is needed (the tenant's administrators see it)."), field="reason")
    if not 1 <= hours <= MAX_SUPPORT_HOURS:
        raise DomainError(N_("Support access lasts 1 to {hours} hours."), field="hours", hours=MAX_SUPPORT_HOURS)
    assert actor.id is not None  # an operator, signed in
    bind_tenant(db, tenant.id)
    grant = SupportGrant(
        tenant_id=tenant.id,
        operator_id=actor.id,
        operator_label=actor.label,
        reason=reason.strip()[:300],
        granted_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.add(grant)
    db.flush()
    record(
        db,
        tenant.id,
        actor,
        "support.grant",
        "support_grant",
        grant.id,
        after={"reason": grant.reason, "expires_at": grant.expires_at.isoformat()},
    )
    return grant


def revoke_support(db: TenantSession, grant_id: int, now: datetime | None = None, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    now = now or datetime.now(UTC)
    grant = db.exec(select(SupportGrant).where(SupportGrant.tenant_id == tenant_id, SupportGrant.id == grant_id)).first()
    if grant is None:
        raise DomainError(N_("This support access does not exist."), field="grant")
    if grant.revoked_at is not None or grant.expires_at <= now:
        return
    grant.revoked_at = now
    grant.revoked_by = actor.label[:120]
    db.add(grant)
    record(
        db,
        tenant_id,
        actor,
        "support.revoke",
        "support_grant",
        grant.id,
        before={"expires_at": grant.expires_at.isoformat()},
        after={"revoked_at": now.isoformat()},
    )


# The console's session is bound to no tenant (it serves every tenant): the tenant stays an explicit argument.
def record_support_entry(db: Session, tenant_id: uuid.UUID, grant: SupportGrant, *, actor: Actor) -> None:
    bind_tenant(db, tenant_id)
    record(db, tenant_id, actor, "support.enter", "support_grant", grant.id)

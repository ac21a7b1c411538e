"""Each tenant's Stripe customer and subscription, and the worker count it bills.

- ``open_account`` (in the sign-up transaction): the tenant's billing row,
  with its plan and trial end.  No network call: a sign-up never waits on,
  or fails because of, Stripe.
- ``ensure_stripe``: creates the missing customer and subscription; run right
  after sign-up and again by ``paiqian billing sync`` until it succeeds, so a
  Stripe outage delays billing but loses nothing.
- ``sync_quantity``: sends the active-worker count.  Worker changes set a
  pending marker (trigger in migration 0020); ``process_due`` syncs markers
  older than ``billing_sync_delay_seconds`` (the debounce), ``reconcile``
  re-reads every subscription from Stripe (daily).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import stripe
from sqlalchemy import text
from sqlmodel import Session, col, select

from service.audit import SYSTEM, Actor, record
from service.billing import gateway
from service.billing.models import SUBSCRIPTION_TO_TENANT, Plan, TenantBilling
from service.errors import N_
from service.settings import Settings, get_settings
from tenants.isolation import TENANT_SETTING, control_session, tenant_session
from tenants.models import Tenant, TenantStatus

log = logging.getLogger("paiqian.billing")

DEFAULT_PLAN = "standard"
# The statuses of a worker the tenant pays for: employed and on the job.
BILLABLE_STATUSES = ("probation", "active")


def now_utc() -> datetime:
    return datetime.now(UTC)


# The plans migration 0020 seeds (code, name, price per worker, max workers, sort order).
DEFAULT_PLANS = (
    ("starter", "Starter", "15.00", 200, 1),
    ("standard", "Standard", "12.00", 2000, 2),
    ("enterprise", "Enterprise", "9.00", None, 3),
)


# Plan names are msgids: pages show them translated.
PLAN_NAMES = (N_("Starter"), N_("Standard"), N_("Enterprise"))


def ensure_default_plans(db: Session) -> None:
    """Put back any default plan that is missing (a database restored without them, the test suite's truncation)."""
    for code, name, price, max_workers, order in DEFAULT_PLANS:
        db.execute(
            text(
                "insert into plans (code, name, price_per_worker, max_workers, sort_order) "
                "values (:c, :n, :p, :m, :o) on conflict (code) do nothing"
            ),
            {"c": code, "n": name, "p": price, "m": max_workers, "o": order},
        )


# The billing row is a control-plane table, written while the tenant is provisioned (sign-up, operator) or from the
# console's unbound transaction (``billing_row``): the tenant is an explicit argument, not the session's.
def open_account(
    db: Session,
    tenant_id: uuid.UUID,
    *,
    plan_code: str = DEFAULT_PLAN,
    credit_code: str | None = None,
    licence_number: str | None = None,
    licence_expires_on: date | None = None,
    billing_email: str | None = None,
    now: datetime | None = None,
) -> TenantBilling:
    plan = db.get(Plan, plan_code)
    if plan is None:
        ensure_default_plans(db)
        plan = db.get(Plan, plan_code)
    if plan is None:
        raise ValueError(f"no plan {plan_code}")
    now = now or now_utc()
    billing = TenantBilling(
        tenant_id=tenant_id,
        plan_code=plan.code,
        credit_code=credit_code,
        licence_number=licence_number,
        licence_expires_on=licence_expires_on,
        billing_email=billing_email,
        trial_ends_at=now + timedelta(days=plan.trial_days),
    )
    db.add(billing)
    db.flush()
    return billing


def billing_row(db: Session, tenant_id: uuid.UUID) -> TenantBilling:
    """The tenant's billing row, opened on the spot for tenants made before billing (CLI, demo)."""
    billing = db.get(TenantBilling, tenant_id, with_for_update=True)
    if billing is None:
        billing = open_account(db, tenant_id, plan_code=DEFAULT_PLAN)
    return billing


def bind_tenant(db: Session, tenant_id: uuid.UUID) -> None:
    """Let a control-plane transaction also write this tenant's rows (its audit
    log), so the tenant's status change and its audit entry commit together."""
    db.execute(text("select set_config(:n, :v, true)"), {"n": TENANT_SETTING, "v": str(tenant_id)})


def count_billable(tenant_id: uuid.UUID) -> int:
    with tenant_session(tenant_id) as db:
        return db.execute(
            text("select count(*) from workers where status = any(:s)"), {"s": list(BILLABLE_STATUSES)}
        ).scalar_one()


def billed_quantity(plan: Plan, active_workers: int) -> int:
    """What Stripe bills: the active workers, at least the plan's minimum
    (Stripe's test server refuses a quantity of 0; the plans bill at least one)."""
    return max(active_workers, plan.min_billed_workers, 1)


def set_tenant_status(
    db: Session,
    tenant: Tenant,
    billing: TenantBilling,
    status: TenantStatus,
    actor: Actor,
    reason: str,
    now: datetime | None = None,
) -> bool:
    """Change a tenant's status (audited in its own log); True when it changed."""
    if billing.operator_suspended and status is not TenantStatus.SUSPENDED and actor.kind != "operator":
        status = TenantStatus.SUSPENDED  # an operator's suspension holds until an operator lifts it
    if tenant.status is status:
        return False
    before = {"status": tenant.status.value}
    tenant.status = status
    now = now or now_utc()
    if status is TenantStatus.CANCELLED:
        billing.cancelled_at = billing.cancelled_at or now
        billing.retention_until = (billing.cancelled_at + timedelta(days=get_settings().retention_days)).date()
    else:
        billing.cancelled_at = None
        billing.retention_until = None
    db.add(tenant)
    db.add(billing)
    bind_tenant(db, tenant.id)
    record(
        db,
        tenant.id,
        actor,
        "tenant.status",
        "tenant",
        tenant.id,
        before=before,
        after={"status": status.value, "reason": reason},
    )
    return True


def apply_subscription(db: Session, tenant: Tenant, billing: TenantBilling, subscription, actor: Actor = SYSTEM) -> None:
    """Take the subscription's *current* state (as Stripe has it now) onto the tenant."""
    billing.stripe_subscription_id = subscription["id"]
    item_id, quantity = gateway.subscription_item(subscription)
    billing.stripe_subscription_item_id = item_id or billing.stripe_subscription_item_id
    billing.billed_quantity = quantity
    billing.subscription_status = subscription["status"]
    if subscription.get("default_payment_method"):
        billing.payment_method_on_file = True
    billing.updated_at = now_utc()
    db.add(billing)
    status = SUBSCRIPTION_TO_TENANT.get(subscription["status"])
    if status is not None:
        set_tenant_status(db, tenant, billing, status, actor, f"stripe subscription {subscription['status']}")


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {getattr(exc, 'user_message', None) or exc}"[:500]


def ensure_stripe(settings: Settings, tenant_id: uuid.UUID) -> bool:
    """Create what is missing in Stripe for the tenant.  True when the tenant
    has its customer and subscription; on failure the error is recorded on the
    billing row and the next sync tries again."""
    with control_session() as db:
        billing = db.get(TenantBilling, tenant_id, with_for_update=True)
        tenant = db.get(Tenant, tenant_id)
        if billing is None or tenant is None:
            return False
        if billing.stripe_customer_id and billing.stripe_subscription_id:
            return True
        if tenant.status is TenantStatus.CANCELLED:
            return False
        plan = db.get_one(Plan, billing.plan_code)  # a foreign key: the plan exists
        try:
            if not billing.stripe_customer_id:
                billing.stripe_customer_id = gateway.create_customer(
                    settings, tenant_id=str(tenant_id), name=tenant.name, email=billing.billing_email
                )
            if not plan.stripe_price_id:
                raise RuntimeError(f"plan {plan.code} has no Stripe price: run `paiqian billing setup-plans`")
            active = count_billable(tenant_id)
            trial_end = billing.trial_ends_at
            subscription = gateway.create_subscription(
                settings,
                tenant_id=str(tenant_id),
                customer_id=billing.stripe_customer_id,
                price_id=plan.stripe_price_id,
                quantity=billed_quantity(plan, active),
                trial_end=int(trial_end.timestamp()) if trial_end and trial_end > now_utc() else None,
            )
            billing.active_workers = active
            billing.last_synced_at = now_utc()
            billing.billing_error = None
            apply_subscription(db, tenant, billing, subscription)
            return True
        except (stripe.StripeError, RuntimeError) as exc:
            billing.billing_attempts += 1
            billing.billing_error = _error(exc)
            db.add(billing)
            log.warning("billing for tenant %s not set up yet (attempt %s): %s", tenant_id, billing.billing_attempts, exc)
            return False


def sync_quantity(settings: Settings, tenant_id: uuid.UUID) -> bool:
    """Send the active-worker count to Stripe if it changed.  The marker is
    claimed first, so a worker change during the call marks the tenant again."""
    with control_session() as db:
        db.execute(text("update tenant_billing set sync_pending_since = null where tenant_id = :t"), {"t": tenant_id})
    active = count_billable(tenant_id)
    with control_session() as db:
        billing = db.get(TenantBilling, tenant_id, with_for_update=True)
        if billing is None:
            return False
        plan = db.get_one(Plan, billing.plan_code)
        billing.active_workers = active
        quantity = billed_quantity(plan, active)
        if not (billing.stripe_subscription_id and billing.stripe_subscription_item_id):
            db.add(billing)
            return False
        if billing.billed_quantity == quantity:
            billing.last_synced_at = now_utc()
            db.add(billing)
            return True
        try:
            subscription = gateway.set_quantity(
                settings, billing.stripe_subscription_id, billing.stripe_subscription_item_id, quantity
            )
        except stripe.StripeError as exc:
            billing.billing_error = _error(exc)
            billing.billing_attempts += 1
            billing.sync_pending_since = billing.sync_pending_since or now_utc()  # try again later
            db.add(billing)
            log.warning("worker count for tenant %s not sent to Stripe: %s", tenant_id, exc)
            return False
        _item, billing.billed_quantity = gateway.subscription_item(subscription)
        billing.stripe_subscription_item_id = _item or billing.stripe_subscription_item_id
        billing.last_synced_at = now_utc()
        billing.billing_error = None
        db.add(billing)
        log.info("tenant %s billed for %s workers", tenant_id, billing.billed_quantity)
        return True


def process_due(settings: Settings, now: datetime | None = None, echo: Callable[[str], None] = log.info) -> int:
    """Finish what is pending: missing customers/subscriptions, and worker
    counts whose marker is older than the debounce delay."""
    now = now or now_utc()
    with control_session() as db:
        unset = db.exec(
            select(TenantBilling.tenant_id)
            .join(Tenant, col(Tenant.id) == TenantBilling.tenant_id)
            .where(col(TenantBilling.stripe_subscription_id).is_(None), Tenant.status != TenantStatus.CANCELLED)
        ).all()
        due = db.exec(
            select(TenantBilling.tenant_id).where(
                col(TenantBilling.sync_pending_since) <= now - timedelta(seconds=settings.billing_sync_delay_seconds)
            )
        ).all()
    done = 0
    if gateway.client(settings) is None:
        echo("Stripe is not configured (STRIPE_SECRET_KEY): nothing sent")
        return 0
    for tenant_id in unset:
        if ensure_stripe(settings, tenant_id):
            done += 1
            echo(f"tenant {tenant_id}: Stripe customer and subscription created")
    for tenant_id in due:
        if sync_quantity(settings, tenant_id):
            done += 1
            echo(f"tenant {tenant_id}: worker count sent")
    return done


def reconcile(settings: Settings, echo: Callable[[str], None] = log.info) -> int:
    """Daily: re-read every subscription from Stripe, take its state, and send
    the worker count whatever the markers say."""
    process_due(settings, echo=echo)
    with control_session() as db:
        ids = db.exec(select(TenantBilling.tenant_id).where(col(TenantBilling.stripe_subscription_id).is_not(None))).all()
    failures = 0
    for tenant_id in ids:
        try:
            with control_session() as db:
                billing = db.get(TenantBilling, tenant_id, with_for_update=True)
                tenant = db.get(Tenant, tenant_id)
                if billing is None or tenant is None or billing.stripe_subscription_id is None:
                    continue  # the tenant was deleted, or its subscription dropped, since the list was read
                subscription = gateway.retrieve_subscription(settings, billing.stripe_subscription_id)
                apply_subscription(db, tenant, billing, subscription)
            if tenant.status is not TenantStatus.CANCELLED and not sync_quantity(settings, tenant_id):
                failures += 1
        except stripe.StripeError as exc:
            failures += 1
            echo(f"tenant {tenant_id}: {exc}")
    echo(f"reconciled {len(ids)} subscriptions, {failures} failed")
    return failures


def setup_plans(settings: Settings, echo: Callable[[str], None] = log.info) -> None:
    """Create the Stripe price of every plan that has none yet."""
    with control_session() as db:
        ensure_default_plans(db)
        for plan in db.exec(select(Plan).where(col(Plan.stripe_price_id).is_(None))).all():
            amount_fen = int(plan.price_per_worker * 100)
            plan.stripe_price_id = gateway.ensure_price(
                settings, code=plan.code, name=plan.name, amount_fen=amount_fen, currency=plan.currency
            )
            db.add(plan)
            echo(f"plan {plan.code}: Stripe price {plan.stripe_price_id}")

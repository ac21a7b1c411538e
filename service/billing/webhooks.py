"""Stripe webhooks: verified, stored once, processed exactly once.

1. ``stripe.Webhook.construct_event`` checks the ``Stripe-Signature`` HMAC over
   the raw body and refuses a timestamp more than 300 s old (replays).
2. ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` stores the event:
   a duplicate delivery inserts nothing and is answered 200 at once.  There is
   no check-then-insert window: the primary key decides.
3. Processing claims the row with ``FOR UPDATE SKIP LOCKED`` while its status
   is received or failed, applies the effects and sets the status in the same
   transaction, so an event's effects are committed once or not at all.  A
   failure is recorded (status failed, error) and answered 500 so Stripe
   delivers it again; the retry reclaims the failed row.
4. Events arrive in any order, so the handlers do not trust the event's copy
   of a subscription: they re-read the subscription from Stripe and apply its
   state now.  Payments only ever move ``last_payment_at`` forward.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from sqlalchemy import text
from sqlmodel import Session, col, select

from service.audit import Actor, record
from service.billing import gateway
from service.billing.models import EventStatus, StripeEvent, TenantBilling
from service.billing.subscriptions import apply_subscription, bind_tenant
from service.settings import Settings
from tenants.isolation import control_session
from tenants.models import Tenant

log = logging.getLogger("paiqian.billing.webhooks")

TOLERANCE_SECONDS = 300
STRIPE = Actor(kind="system", id=None, label="Stripe")

SUBSCRIPTION_EVENTS = frozenset(
    {
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "customer.subscription.paused",
        "customer.subscription.resumed",
    }
)
INVOICE_EVENTS = frozenset({"invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed"})
HANDLED = SUBSCRIPTION_EVENTS | INVOICE_EVENTS | {"checkout.session.completed"}


class BadSignature(Exception):
    """The signature is missing, wrong, or too old."""


def verify(settings: Settings, payload: bytes, signature: str | None) -> Any:
    """The body's JSON once its signature holds: whatever JSON it is, which the caller checks is an event."""
    if not settings.stripe_webhook_secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not configured")
    if not signature:
        raise BadSignature("no Stripe-Signature header")
    try:
        # Only the signature: ``construct_event`` would also build an Event and fail inside on a body that is
        # validly signed JSON but not an object (an array, a string), which is the caller's to refuse.
        stripe.WebhookSignature.verify_header(payload, signature, settings.stripe_webhook_secret, tolerance=TOLERANCE_SECONDS)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise BadSignature(str(exc)) from exc
    try:
        return json.loads(payload)
    except ValueError:
        return None  # signed, but not JSON: not an event either


def store(payload: dict[str, Any]) -> bool:
    """Insert the event once; False when its id was already stored."""
    created = payload.get("created")
    with control_session() as db:
        inserted = db.execute(
            text(
                "insert into stripe_events (id, type, stripe_created_at, livemode, payload) "
                "values (:id, :type, :created, :livemode, cast(:payload as jsonb)) "
                "on conflict (id) do nothing returning id"
            ),
            {
                "id": payload["id"],
                "type": str(payload.get("type", ""))[:100],
                "created": datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
                "livemode": bool(payload.get("livemode")),
                "payload": json.dumps(payload),
            },
        ).first()
    return inserted is not None


def _customer_of(obj: dict[str, Any]) -> str | None:
    customer = obj.get("customer")
    if isinstance(customer, dict):
        return customer.get("id")
    return customer


def _find(db: Session, customer_id: str | None, metadata: dict | None) -> tuple[Tenant, TenantBilling] | None:
    billing = None
    if customer_id:
        billing = db.exec(
            select(TenantBilling).where(TenantBilling.stripe_customer_id == customer_id).with_for_update()
        ).first()
    if billing is None and metadata and metadata.get("tenant_id"):
        try:
            billing = db.get(TenantBilling, uuid.UUID(metadata["tenant_id"]), with_for_update=True)
        except ValueError:
            billing = None
        if billing is not None and billing.stripe_customer_id and billing.stripe_customer_id != customer_id:
            billing = None  # metadata naming a tenant that has another customer: not ours to believe
    if billing is None:
        return None
    tenant = db.get(Tenant, billing.tenant_id)
    return (tenant, billing) if tenant else None


def _apply_current_subscription(
    settings: Settings, db: Session, tenant: Tenant, billing: TenantBilling, sub_id: str | None
) -> None:
    sub_id = sub_id or billing.stripe_subscription_id
    if not sub_id:
        return
    if billing.stripe_subscription_id and sub_id != billing.stripe_subscription_id:
        return  # an old subscription of this customer: not the one that bills the tenant
    apply_subscription(db, tenant, billing, gateway.retrieve_subscription(settings, sub_id), STRIPE)


def _handle(settings: Settings, db: Session, event: StripeEvent) -> EventStatus:
    kind = event.type
    if kind not in HANDLED:
        return EventStatus.IGNORED
    obj = (event.payload.get("data") or {}).get("object") or {}
    found = _find(db, _customer_of(obj), obj.get("metadata"))
    if found is None:
        return EventStatus.UNKNOWN_CUSTOMER
    tenant, billing = found
    event.tenant_id = tenant.id
    if kind in SUBSCRIPTION_EVENTS:
        _apply_current_subscription(settings, db, tenant, billing, obj.get("id"))
    elif kind in INVOICE_EVENTS:
        if kind != "invoice.payment_failed" and obj.get("amount_paid"):
            paid = (obj.get("status_transitions") or {}).get("paid_at") or obj.get("created")
            paid_at = datetime.fromtimestamp(paid, UTC) if isinstance(paid, int) else datetime.now(UTC)
            if billing.last_payment_at is None or paid_at > billing.last_payment_at:
                billing.last_payment_at = paid_at
                billing.last_payment_amount = Decimal(obj["amount_paid"]) / 100
                billing.last_payment_currency = str(obj.get("currency", "cny"))[:3]
                db.add(billing)
        sub_id = obj.get("subscription") or ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
        _apply_current_subscription(settings, db, tenant, billing, sub_id)
    elif kind == "checkout.session.completed":
        if obj.get("mode") != "setup" or not obj.get("setup_intent") or not billing.stripe_customer_id:
            return EventStatus.IGNORED  # checkout is started only for a tenant that has its Stripe customer
        setup_intent = gateway.retrieve_setup_intent(settings, obj["setup_intent"])
        payment_method = setup_intent.get("payment_method")
        if isinstance(payment_method, dict):
            payment_method = payment_method.get("id")
        if setup_intent.get("status") != "succeeded" or not payment_method:
            return EventStatus.IGNORED
        gateway.set_default_payment_method(settings, billing.stripe_customer_id, billing.stripe_subscription_id, payment_method)
        billing.payment_method_on_file = True
        db.add(billing)
        bind_tenant(db, tenant.id)
        record(db, tenant.id, STRIPE, "billing.payment_method", "tenant", tenant.id, after={"payment_method": payment_method})
    return EventStatus.PROCESSED


def process(settings: Settings, event_id: str) -> EventStatus | None:
    """Process a stored event if nobody has; None when it is done or being done elsewhere."""
    try:
        with control_session() as db:
            event = db.exec(
                select(StripeEvent)
                .where(
                    StripeEvent.id == event_id,
                    col(StripeEvent.status).in_([EventStatus.RECEIVED.value, EventStatus.FAILED.value]),
                )
                .with_for_update(skip_locked=True)
            ).first()
            if event is None:
                return None
            status = _handle(settings, db, event)
            event.status = status.value
            event.attempts += 1
            event.error = None
            event.processed_at = datetime.now(UTC)
            db.add(event)
    except Exception as exc:  # recorded on the event, and Stripe retries it
        log.exception("Stripe event %s failed", event_id)
        with control_session() as db:
            db.execute(
                text("update stripe_events set status = 'failed', attempts = attempts + 1, error = :e where id = :id"),
                {"id": event_id, "e": f"{type(exc).__name__}: {exc}"[:2000]},
            )
        return EventStatus.FAILED
    if status is EventStatus.UNKNOWN_CUSTOMER:
        # The alert: an event about a customer no tenant has (another system
        # on the same Stripe account, or a tenant deleted since).
        log.error("ALERT Stripe event %s (%s) names no known customer; recorded, not applied", event_id, event.type)
    return status


def receive(settings: Settings, payload: bytes, signature: str | None) -> tuple[int, dict[str, str]]:
    """The webhook endpoint's whole job: (HTTP status, JSON answer)."""
    try:
        event = verify(settings, payload, signature)
    except BadSignature as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return 400, {"error": "invalid signature"}
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        return 400, {"error": "not an event"}
    fresh = store(event)
    status = process(settings, event["id"])
    if status is None:
        return 200, {"status": "duplicate" if not fresh else "in progress"}
    if status is EventStatus.FAILED:
        return 500, {"status": "failed"}
    return 200, {"status": status.value}

"""The one place that talks to Stripe.

Everything goes through a ``stripe.StripeClient`` built from the settings:
``STRIPE_SECRET_KEY`` and, for tests, ``STRIPE_API_BASE`` (localstripe on
127.0.0.1).  Without a key billing is off and ``client`` returns None: the
callers keep their work pending and ``paiqian billing sync`` finishes it once
Stripe is configured or reachable again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import stripe
from stripe.params import CustomerCreateParams, SubscriptionCreateParams
from stripe.params.checkout import SessionCreateParams

from service.settings import Settings

# Tests replace this to answer with recorded Stripe responses where the local
# Stripe server has no such API (Checkout Sessions): a stripe.HTTPClient or None.
HTTP_CLIENT_FACTORY: Callable[[], stripe.HTTPClient | None] = lambda: None  # noqa: E731

# A fixed API version: the fields read below (subscription items, invoice
# status_transitions) are those of this version, whatever the SDK's default.
API_VERSION = stripe.api_version


def client(settings: Settings) -> stripe.StripeClient | None:
    if not settings.stripe_secret_key:
        return None
    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else None
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses=base,  # type: ignore[arg-type]
        stripe_version=API_VERSION,
        max_network_retries=1,
        http_client=HTTP_CLIENT_FACTORY(),
    )


def require(settings: Settings) -> stripe.StripeClient:
    stripe_client = client(settings)
    if stripe_client is None:
        raise stripe.APIConnectionError("Stripe is not configured (STRIPE_SECRET_KEY is empty)")
    return stripe_client


def create_customer(settings: Settings, *, tenant_id: str, name: str, email: str | None) -> str:
    params: CustomerCreateParams = {"name": name, "metadata": {"tenant_id": tenant_id}}
    if email:
        params["email"] = email
    # The idempotency key makes a retry after a lost answer return the same
    # customer instead of a second one (Stripe keeps keys for 24 hours).
    customer = require(settings).v1.customers.create(params, {"idempotency_key": f"paiqian-customer-{tenant_id}"})
    return customer.id


def create_subscription(
    settings: Settings, *, tenant_id: str, customer_id: str, price_id: str, quantity: int, trial_end: int | None
) -> dict[str, Any]:
    params: SubscriptionCreateParams = {
        "customer": customer_id,
        # ``plan`` accepts a Price id as well as a legacy Plan id (both Stripe and localstripe).
        "items": [{"plan": price_id, "quantity": quantity}],
        "metadata": {"tenant_id": tenant_id},
    }
    if trial_end is not None:
        params["trial_end"] = trial_end
    return (
        require(settings)
        .v1.subscriptions.create(params, {"idempotency_key": f"paiqian-subscription-{tenant_id}-{customer_id}"})
        .to_dict()
    )


def retrieve_subscription(settings: Settings, subscription_id: str) -> dict[str, Any]:
    """The subscription as Stripe has it now, as plain JSON (dicts and lists)."""
    return require(settings).v1.subscriptions.retrieve(subscription_id).to_dict()


def set_quantity(settings: Settings, subscription_id: str, item_id: str, quantity: int) -> dict[str, Any]:
    return (
        require(settings).v1.subscriptions.update(subscription_id, {"items": [{"id": item_id, "quantity": quantity}]}).to_dict()
    )


def list_invoices(settings: Settings, customer_id: str, limit: int = 24) -> list[dict[str, Any]]:
    return [i.to_dict() for i in require(settings).v1.invoices.list({"customer": customer_id, "limit": limit}).data]


def ensure_price(settings: Settings, *, code: str, name: str, amount_fen: int, currency: str) -> str:
    """A monthly per-unit price for a plan.  Created as a legacy Plan because
    localstripe implements Plans but not Prices; in Stripe a Plan *is* a
    Price (its id works wherever a price id does)."""
    plan = require(settings).v1.plans.create(
        {
            "amount": amount_fen,
            "currency": currency,
            "interval": "month",
            "product": {"name": f"Paiqian {name}"},
            "nickname": code,
        },
        {"idempotency_key": f"paiqian-plan-{code}-{amount_fen}-{currency}"},
    )
    return plan.id


def create_checkout_session(
    settings: Settings, *, customer_id: str, tenant_id: str, success_url: str, cancel_url: str
) -> stripe.checkout.Session:
    """A Checkout Session in setup mode: the customer enters a card on
    Stripe's page and Stripe reports it with ``checkout.session.completed``.

    localstripe has no Checkout API at all: the tests answer this call, and
    the session/setup-intent retrievals below, with recorded Stripe responses
    (tests/integration/stripe_recordings/)."""
    params: SessionCreateParams = {
        "mode": "setup",
        "customer": customer_id,
        "currency": "cny",
        # API version 2026-09-30 and later refuse ``payment_method_types`` here: a card is asked for this way.
        "allowed_payment_method_types": ["card"],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "metadata": {"tenant_id": tenant_id},
        "setup_intent_data": {"metadata": {"tenant_id": tenant_id}},
    }
    return require(settings).v1.checkout.sessions.create(params)


def retrieve_setup_intent(settings: Settings, setup_intent_id: str) -> dict[str, Any]:
    return require(settings).v1.setup_intents.retrieve(setup_intent_id).to_dict()


def set_default_payment_method(settings: Settings, customer_id: str, subscription_id: str | None, payment_method: str) -> None:
    stripe_client = require(settings)
    stripe_client.v1.customers.update(customer_id, {"invoice_settings": {"default_payment_method": payment_method}})
    if subscription_id:
        stripe_client.v1.subscriptions.update(subscription_id, {"default_payment_method": payment_method})


def subscription_item(subscription: Any) -> tuple[str | None, int | None]:
    """The (only) item's id and quantity."""
    items = subscription.get("items") or {}
    data = items.get("data") or []
    if not data:
        return None, subscription.get("quantity")
    return data[0].get("id"), data[0].get("quantity")

"""The Stripe webhook endpoint, and the tenant administrator's billing page
(plan, subscription, payment method through Stripe Checkout, invoices)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal

import anyio
import stripe
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from service.accounts.models import StaffRole
from service.billing import gateway, queries
from service.billing.models import STATUS_BADGES, STATUS_LABELS
from service.billing.subscriptions import billing_row, count_billable
from service.billing.webhooks import receive
from service.web.access import PUBLIC, allow
from service.web.dependencies import RequestCtx, TenantDb
from service.web.pages import page

log = logging.getLogger("paiqian.billing")

# Billing stays usable while the tenant is read-only: it is how an administrator settles.
BILLING_ADMIN = {**allow(StaffRole.ADMIN), "billing": True}


@post("/stripe/webhook", opt={**PUBLIC, "csrf_exempt": True}, status_code=200)
async def stripe_webhook(request: Request) -> Response:
    """Stripe calls this; the signature over the raw body is its credential.  No request transaction:
    ``receive`` stores the event in a transaction of its own before processing it, and records a failed
    processing in another, so Stripe's retry finds it whatever went wrong."""
    payload = await request.body()
    status, answer = await anyio.to_thread.run_sync(
        receive, request.app.state.settings, payload, request.headers.get("stripe-signature")
    )
    return Response(content=answer, status_code=status)


def _invoice(invoice) -> dict:
    """What the page shows of a Stripe invoice (amounts are in fen)."""
    return {
        "number": invoice.get("number") or invoice["id"],
        "url": invoice.get("hosted_invoice_url"),
        "created": datetime.fromtimestamp(invoice["created"], UTC),
        "total": Decimal(invoice.get("total") or 0) / 100,
        "currency": str(invoice.get("currency") or "").upper(),
        "status": invoice.get("status") or "—",
    }


class BillingController(Controller):
    path = "/billing"

    @get("/", opt=BILLING_ADMIN, sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        settings = request.app.state.settings
        # Read without a lock, as the page then waits for Stripe; opened on the spot (locked) only for a
        # tenant made before billing, which has no Stripe customer to wait for.
        billing = queries.account(db, ctx.tenant_id) or billing_row(db, ctx.tenant_id)
        invoices, invoices_error = [], None
        if billing.stripe_customer_id:
            try:
                invoices = [_invoice(i) for i in gateway.list_invoices(settings, billing.stripe_customer_id)]
            except stripe.StripeError as exc:  # the page works without them
                log.warning("invoices of tenant %s not available: %s", ctx.tenant_id, exc)
                invoices_error = True
        return page(
            request,
            "billing/index.html",
            billing=billing,
            plan=queries.plan(db, billing.plan_code),
            active=count_billable(ctx.tenant_id),
            invoices=invoices,
            invoices_error=invoices_error,
            status_labels=STATUS_LABELS,
            status_badges=STATUS_BADGES,
            checkout=request.query_params.get("checkout", ""),
        )

    @post("/checkout", opt=BILLING_ADMIN, sync_to_thread=True)
    def checkout(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        """Off to Stripe Checkout to add a payment method; back to this page after."""
        settings = request.app.state.settings
        billing = queries.account(db, ctx.tenant_id)
        base = str(request.base_url).rstrip("/") + ctx.tenant_path("/billing")
        if billing is None or not billing.stripe_customer_id:
            return Redirect(path=ctx.tenant_path("/billing?checkout=unavailable"), status_code=303)
        try:
            session = gateway.create_checkout_session(
                settings,
                customer_id=billing.stripe_customer_id,
                tenant_id=str(ctx.tenant_id),
                success_url=base + "?checkout=done",
                cancel_url=base + "?checkout=cancelled",
            )
        except stripe.StripeError as exc:
            log.warning("checkout for tenant %s not started: %s", ctx.tenant_id, exc)
            return Redirect(path=ctx.tenant_path("/billing?checkout=unavailable"), status_code=303)
        assert session.url is not None  # a hosted session just created has its page
        return Redirect(path=session.url, status_code=303)

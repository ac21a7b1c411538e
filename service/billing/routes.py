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
from sqlmodel import select

from service.accounts.models import StaffRole
from service.billing import gateway
from service.billing.models import STATUS_BADGES, STATUS_LABELS, Plan, TenantBilling
from service.billing.subscriptions import billing_row, count_billable
from service.billing.webhooks import receive
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.pages import page
from tenants.isolation import control_session

log = logging.getLogger("paiqian.billing")

# Billing stays usable while the tenant is read-only: it is how an administrator settles.
BILLING_ADMIN = {**allow(StaffRole.ADMIN), "billing": True}


@post("/stripe/webhook", opt={**PUBLIC, "csrf_exempt": True}, include_in_schema=False, status_code=200)
async def stripe_webhook(request: Request) -> Response:
    """Stripe calls this; the signature over the raw body is its credential."""
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

    @get("/", opt=BILLING_ADMIN, sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        with control_session() as control:
            billing = billing_row(control, ctx.tenant_id)
            plan = control.get(Plan, billing.plan_code)
        invoices, invoices_error = [], None
        if billing.stripe_customer_id:
            try:
                invoices = [_invoice(i) for i in gateway.list_invoices(settings, billing.stripe_customer_id)]
            except stripe.StripeError as exc:
                log.warning("invoices of tenant %s not available: %s", ctx.tenant_id, exc)
                invoices_error = True
        return page(
            request,
            "billing/index.html",
            billing=billing,
            plan=plan,
            active=count_billable(ctx.tenant_id),
            invoices=invoices,
            invoices_error=invoices_error,
            status_labels=STATUS_LABELS,
            status_badges=STATUS_BADGES,
            checkout=request.query_params.get("checkout", ""),
        )

    @post("/checkout", opt=BILLING_ADMIN, sync_to_thread=True, include_in_schema=False)
    def checkout(self, request: Request) -> Response:
        """Off to Stripe Checkout to add a payment method; back to this page after."""
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        with control_session() as control:
            billing = control.exec(select(TenantBilling).where(TenantBilling.tenant_id == ctx.tenant_id)).first()
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
        return Redirect(path=session.url, status_code=303)

"""Adding a payment method through Stripe Checkout.

localstripe has no Checkout API (no /v1/checkout/sessions at all), so this
path is tested against recorded Stripe responses (stripe_recordings/): a
stripe.HTTPClient answers each call from a recording and keeps what the app
sent, so the test checks both the request and what the app does with the answer.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import AuditEntry
from service.billing import gateway
from service.billing.models import TenantBilling
from service.billing.subscriptions import ensure_default_plans, open_account
from tenants.isolation import control_session, tenant_session
from tests.support.stripe_server import WEBHOOK_SECRET, sign
from tests.support.web import csrf_from

RECORDINGS = Path(__file__).parent / "stripe_recordings"
CUSTOMER = "cus_RcD8Zk2vQm4TnP"
SUBSCRIPTION = "sub_1QcCzqKx2vLp7TnYgX4m0Rb1"
PAYMENT_METHOD = "pm_1QcDA0Kx2vLp7TnYs8GmHb2c"

ROUTES = {
    ("post", "/v1/checkout/sessions"): "checkout_session_create.json",
    ("get", "/v1/setup_intents/seti_1QcD9mKx2vLp7TnYb4RzWq8e"): "setup_intent_retrieve.json",
    ("post", f"/v1/customers/{CUSTOMER}"): "customer_update.json",
    ("post", f"/v1/subscriptions/{SUBSCRIPTION}"): "subscription_update.json",
    ("get", f"/v1/subscriptions/{SUBSCRIPTION}"): "subscription_update.json",
}


class RecordedStripe(stripe.HTTPClient):
    """Answers from the recordings; remembers every request (method, path, form fields)."""

    name = "recorded"

    def __init__(self, tenant_id: str) -> None:
        super().__init__()
        self.tenant_id = tenant_id
        self.sent: list[tuple[str, str, dict]] = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        fields = parse_qs(post_data.decode() if isinstance(post_data, bytes) else (post_data or ""))
        self.sent.append((method, parts.path, fields))
        recording = ROUTES.get((method, parts.path))
        if recording is None:
            return (
                json.dumps({"error": {"type": "invalid_request_error", "message": f"no recording for {method} {parts.path}"}}),
                404,
                {},
            )
        body = (RECORDINGS / recording).read_text().replace("00000000-0000-0000-0000-000000000000", self.tenant_id)
        return body, 200, {"request-id": "req_recorded"}

    def close(self) -> None:
        pass


@pytest.fixture()
def recorded(settings, app, tenant, monkeypatch):
    configured = dataclasses.replace(settings, stripe_secret_key="sk_test_recorded", stripe_webhook_secret=WEBHOOK_SECRET)
    monkeypatch.setattr(app.state, "settings", configured)
    fake = RecordedStripe(str(tenant.id))
    monkeypatch.setattr(gateway, "HTTP_CLIENT_FACTORY", lambda: fake)
    with control_session() as db:
        ensure_default_plans(db)
        billing = open_account(db, tenant.id)
        billing.stripe_customer_id, billing.stripe_subscription_id = CUSTOMER, SUBSCRIPTION
        billing.stripe_subscription_item_id = "si_RcCzq1mKx2vLp7"
        db.add(billing)
    return fake


def test_the_admin_is_sent_to_stripe_checkout_in_setup_mode(signed_in, tenant, recorded) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    page = client.get(f"/t/{tenant.slug}/billing")
    assert page.status_code == 200
    response = client.post(f"/t/{tenant.slug}/billing/checkout", data={"_csrf": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    method, path, fields = recorded.sent[-1]
    assert (method, path) == ("post", "/v1/checkout/sessions")
    assert fields["mode"] == ["setup"] and fields["customer"] == [CUSTOMER]
    assert fields["success_url"] == [f"http://127.0.0.1/t/{tenant.slug}/billing?checkout=done"]
    assert fields["metadata[tenant_id]"] == [str(tenant.id)]
    assert fields["allowed_payment_method_types[0]"] == ["card"] and "payment_method_types[0]" not in fields


def test_only_the_admin_may_start_checkout(signed_in, tenant, recorded) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    page = client.get(f"/t/{tenant.slug}/workers")
    response = client.post(f"/t/{tenant.slug}/billing/checkout", data={"_csrf": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 403 and not recorded.sent


def test_checkout_completed_sets_the_default_payment_method(client, tenant, recorded) -> None:
    payload = (RECORDINGS / "event_checkout_session_completed.json").read_text()
    payload = payload.replace("00000000-0000-0000-0000-000000000000", str(tenant.id)).encode()
    response = client.post(
        "/stripe/webhook", content=payload, headers={"stripe-signature": sign(payload), "content-type": "application/json"}
    )
    assert response.status_code == 200 and response.json() == {"status": "processed"}
    calls = [(m, p) for m, p, _ in recorded.sent]
    assert calls == [
        ("get", "/v1/setup_intents/seti_1QcD9mKx2vLp7TnYb4RzWq8e"),
        ("post", f"/v1/customers/{CUSTOMER}"),
        ("post", f"/v1/subscriptions/{SUBSCRIPTION}"),
    ]
    assert recorded.sent[1][2]["invoice_settings[default_payment_method]"] == [PAYMENT_METHOD]
    assert recorded.sent[2][2]["default_payment_method"] == [PAYMENT_METHOD]
    with control_session() as db:
        assert db.get(TenantBilling, tenant.id).payment_method_on_file
    with tenant_session(tenant.id) as db:
        entries = db.exec(select(AuditEntry).where(AuditEntry.action == "billing.payment_method")).all()
    assert [e.actor_label for e in entries] == ["Stripe"]


def test_checkout_unavailable_says_so_without_an_error_page(signed_in, tenant, recorded, monkeypatch) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    monkeypatch.delitem(ROUTES, ("post", "/v1/checkout/sessions"))  # Stripe answers an error
    page = client.get(f"/t/{tenant.slug}/billing")
    response = client.post(f"/t/{tenant.slug}/billing/checkout", data={"_csrf": csrf_from(page.text)})
    assert response.status_code == 200 and "checkout=unavailable" in str(response.url)

"""Sign-up, the operator console, plans and Stripe subscriptions, webhooks.

Stripe is localstripe on 127.0.0.1 (tests/support/stripe_server.py), fresh
for the run; webhook events are signed with the test secret as Stripe signs.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from service.audit import AuditEntry
from service.billing import gateway
from service.billing.models import StripeEvent, SupportGrant, TenantBilling
from service.billing.retention import export_and_delete
from service.billing.subscriptions import ensure_default_plans, ensure_stripe, open_account, process_due, setup_plans
from service.cli import main as cli
from service.database.engines import owner_engine
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.actions import deactivate_worker
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant, TenantStatus
from tests.support.factories import PASSWORD, make_tenant, make_worker
from tests.support.stripe_server import event, free_port, localstripe_url, sign, stripe_settings  # noqa: F401
from tests.support.web import csrf_from, sign_in

CREDIT_CODE = "91440300708461136T"
OTHER_CREDIT_CODE = "914403001922038216"


@pytest.fixture()
def plans(stripe_settings, db_clean):  # noqa: F811
    """The default plans, each with its price in the Stripe test server."""
    setup_plans(stripe_settings, lambda _line: None)
    return stripe_settings


def signup_form(client, **overrides: str) -> dict:
    page = client.get("/signup")
    assert page.status_code == 200
    values = {
        "_csrf": csrf_from(page.text),
        "name": "华夏劳务派遣有限公司",
        "slug": f"hx-{uuid.uuid4().hex[:6]}",
        "credit_code": CREDIT_CODE,
        "licence_number": "440300202300017",
        "licence_expires_on": (date.today() + timedelta(days=700)).isoformat(),
        "admin_name": "王经理",
        "admin_email": f"wang-{uuid.uuid4().hex[:6]}@huaxia.test",
        "password": "Huaxia-2026-ok",
    }
    values.update(overrides)
    return values


def billing_of(tenant_id) -> TenantBilling:
    with control_session() as db:
        return db.get(TenantBilling, tenant_id)


def tenant_by_slug(slug: str) -> Tenant:
    with control_session() as db:
        return db.exec(select(Tenant).where(Tenant.slug == slug)).one()


def stripe_subscription(settings, billing: TenantBilling):
    return gateway.retrieve_subscription(settings, billing.stripe_subscription_id)


def audit(tenant_id, action: str) -> list[AuditEntry]:
    with tenant_session(tenant_id) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.tenant_id == tenant_id, AuditEntry.action == action)))


def billed_tenant(settings) -> Tenant:
    """A tenant with its billing row, Stripe customer and subscription."""
    fixture = make_tenant()
    with control_session() as db:
        open_account(db, fixture.id, billing_email=fixture.admin_email)
    assert ensure_stripe(settings, fixture.id)
    return fixture


# --- sign-up --------------------------------------------------------------


def test_a_company_signs_up_and_lands_in_its_tenant_with_a_trial_subscription(client, plans) -> None:
    form = signup_form(client)
    response = client.post("/signup", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/t/{form['slug']}/welcome"
    welcome = client.get(response.headers["location"])
    assert welcome.status_code == 200
    for link in ("/workers/import", "/insurance", "/users"):
        assert f"/t/{form['slug']}{link}" in welcome.text

    tenant = tenant_by_slug(form["slug"])
    assert tenant.status is TenantStatus.TRIAL
    billing = billing_of(tenant.id)
    assert billing.credit_code == CREDIT_CODE and billing.licence_number == "440300202300017"
    assert billing.trial_ends_at > datetime.now(UTC) + timedelta(days=29)
    assert billing.stripe_customer_id.startswith("cus_") and billing.stripe_subscription_id.startswith("sub_")
    customer = gateway.require(plans).v1.customers.retrieve(billing.stripe_customer_id)
    assert customer.metadata["tenant_id"] == str(tenant.id)
    subscription = stripe_subscription(plans, billing)
    # Stripe answers "trialing"; localstripe never leaves "incomplete" for a
    # subscription with a trial (it has no trial state), so the trial end is what is checked.
    assert subscription["status"] in ("trialing", "incomplete")
    assert subscription["trial_end"] == int(billing.trial_ends_at.timestamp())
    assert gateway.subscription_item(subscription)[1] == 1  # no workers yet: the plan's minimum
    # the admin is signed in: the billing page answers
    assert client.get(f"/t/{form['slug']}/billing").status_code == 200


def test_a_second_sign_up_with_the_same_credit_code_is_refused_clearly(client, plans) -> None:
    assert client.post("/signup", data=signup_form(client), follow_redirects=False).status_code == 303
    client.cookies.clear()
    again = signup_form(client, credit_code=" 9144 0300 7084 6113 6t ")  # same code, typed differently
    response = client.post("/signup", data=again, follow_redirects=False)
    assert response.status_code == 400
    assert "该统一社会信用代码的公司已经注册" in response.text
    assert 'id="credit_code-error"' in response.text
    with control_session() as db:
        assert db.execute(text("select count(*) from tenants")).scalar() == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("credit_code", "91440300708461136A"),  # wrong check character
        ("credit_code", "9144030070846113"),
        ("licence_expires_on", "2020-01-01"),  # expired licence
        ("licence_expires_on", "next year"),
        ("licence_expires_on", "9999-12-31"),  # off the calendar of records
        ("slug", "Not A Slug"),
        ("admin_email", "not-an-email"),
        ("password", "short1"),
        ("name", ""),
    ],
)
def test_bad_sign_up_input_is_refused_next_to_its_field_and_writes_nothing(client, plans, field: str, value: str) -> None:
    response = client.post("/signup", data=signup_form(client, **{field: value}), follow_redirects=False)
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text
    with control_session() as db:
        assert db.execute(text("select count(*) from tenants")).scalar() == 0


def test_stripe_unreachable_during_sign_up_creates_the_tenant_and_billing_catches_up(client, plans, app, monkeypatch) -> None:
    down = dataclasses.replace(plans, stripe_api_base=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setattr(app.state, "settings", down)
    form = signup_form(client)
    response = client.post("/signup", data=form, follow_redirects=False)
    assert response.status_code == 303
    tenant = tenant_by_slug(form["slug"])
    billing = billing_of(tenant.id)
    assert billing.stripe_customer_id is None and billing.billing_error and billing.billing_attempts == 1
    assert client.get(f"/t/{form['slug']}/welcome").status_code == 200  # the company works meanwhile

    assert process_due(plans) == 1  # `paiqian billing sync`, Stripe reachable again
    billing = billing_of(tenant.id)
    assert billing.stripe_customer_id and billing.stripe_subscription_id and billing.billing_error is None
    assert billing.credit_code == CREDIT_CODE  # nothing lost


# --- the worker count ---------------------------------------------------------


def test_the_subscription_quantity_follows_active_workers_debounced(plans) -> None:
    tenant = billed_tenant(plans)
    workers = [make_worker(plans, tenant) for _ in range(3)]
    make_worker(plans, tenant, status=WorkerStatus.CANDIDATE)  # not billed
    billing = billing_of(tenant.id)
    assert billing.sync_pending_since is not None  # marked by the trigger, not yet sent

    slow = dataclasses.replace(plans, billing_sync_delay_seconds=3600)
    assert process_due(slow) == 0  # still inside the debounce window
    assert gateway.subscription_item(stripe_subscription(plans, billing))[1] == 1

    assert process_due(plans) == 1
    billing = billing_of(tenant.id)
    assert billing.sync_pending_since is None and billing.billed_quantity == 3 and billing.active_workers == 3
    assert gateway.subscription_item(stripe_subscription(plans, billing))[1] == 3

    with tenant_session(tenant.id) as db:
        worker = db.exec(select(Worker).where(Worker.tenant_id == tenant.id, Worker.id == workers[0].id)).one()
        deactivate_worker(db, worker, actor=__import__("service.audit", fromlist=["SYSTEM"]).SYSTEM)
    assert billing_of(tenant.id).sync_pending_since is not None
    result = CliRunner().invoke(cli, ["billing", "sync"], catch_exceptions=False, env={})
    # the CLI reads the process settings (no Stripe key in the test environment): nothing sent, nothing lost
    assert result.exit_code == 0 and billing_of(tenant.id).sync_pending_since is not None
    process_due(plans)
    assert gateway.subscription_item(stripe_subscription(plans, billing_of(tenant.id)))[1] == 2


# --- webhooks -----------------------------------------------------------------


def post_event(client, payload: bytes, signature: str | None = None):
    headers = {"content-type": "application/json", "stripe-signature": signature or sign(payload)}
    return client.post("/stripe/webhook", content=payload, headers=headers)


def stored(event_id: str) -> StripeEvent | None:
    with control_session() as db:
        return db.get(StripeEvent, event_id)


def test_a_valid_event_is_applied_once_and_a_duplicate_is_not(client, plans) -> None:
    tenant = billed_tenant(plans)
    billing = billing_of(tenant.id)
    cancelled = gateway.require(plans).v1.subscriptions.cancel(billing.stripe_subscription_id)
    payload = event("evt_deleted_1", "customer.subscription.deleted", cancelled.to_dict())
    first = post_event(client, payload)
    assert first.status_code == 200 and first.json() == {"status": "processed"}
    assert tenant_by_slug(tenant.slug).status is TenantStatus.CANCELLED
    billing = billing_of(tenant.id)
    assert billing.retention_until == (billing.cancelled_at + timedelta(days=plans.retention_days)).date()

    again = post_event(client, payload)  # Stripe delivers again
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert stored("evt_deleted_1").attempts == 1
    assert len(audit(tenant.id, "tenant.status")) == 1


def test_concurrent_duplicate_deliveries_are_processed_exactly_once(client, plans, app) -> None:
    tenant = billed_tenant(plans)
    paid_at = int(time.time()) - 60
    invoice = {
        "id": "in_concurrent",
        "object": "invoice",
        "customer": billing_of(tenant.id).stripe_customer_id,
        "subscription": billing_of(tenant.id).stripe_subscription_id,
        "amount_paid": 3600,
        "currency": "cny",
        "status": "paid",
        "created": paid_at,
        "status_transitions": {"paid_at": paid_at},
    }
    payload = event("evt_paid_concurrent", "invoice.paid", invoice)
    from service.billing.webhooks import receive

    answers: list[int] = []
    start = threading.Barrier(4)

    def deliver() -> None:  # what the endpoint does with each delivery, four at the same moment
        start.wait()
        answers.append(receive(plans, payload, sign(payload))[0])

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200] * 4
    assert stored("evt_paid_concurrent").status == "processed" and stored("evt_paid_concurrent").attempts == 1
    billing = billing_of(tenant.id)
    assert billing.last_payment_amount == 36 and billing.last_payment_at == datetime.fromtimestamp(paid_at, UTC)


def test_a_tampered_or_unsigned_event_is_refused_and_not_stored(client, plans) -> None:
    billed_tenant(plans)
    payload = event("evt_tampered", "customer.subscription.deleted", {"id": "sub_x", "customer": "cus_x"})
    signature = sign(payload)
    tampered = payload.replace(b"sub_x", b"sub_y")
    assert post_event(client, tampered, signature).status_code == 400
    assert post_event(client, payload, sign(payload, secret="whsec_someone_else")).status_code == 400
    response = client.post("/stripe/webhook", content=payload, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert stored("evt_tampered") is None


def test_a_signed_body_that_is_not_an_event_object_is_refused(client, stripe_settings) -> None:  # noqa: F811
    for payload in (b'[{"id": "evt_in_a_list"}]', b'"evt_text"', b"42", b"null", b'{"id": 7}', b"{not json"):
        response = post_event(client, payload)
        assert (response.status_code, response.json()) == (400, {"error": "not an event"}), payload
    assert stored("evt_in_a_list") is None


def test_a_stale_event_is_refused(client, plans) -> None:
    payload = event("evt_stale", "invoice.paid", {"id": "in_1", "customer": "cus_x"})
    old = int(time.time()) - 301
    assert post_event(client, payload, sign(payload, timestamp=old)).status_code == 400
    assert stored("evt_stale") is None
    fresh_enough = int(time.time()) - 250
    assert post_event(client, payload, sign(payload, timestamp=fresh_enough)).status_code == 200


def test_out_of_order_events_end_in_stripe_s_current_state(client, plans) -> None:
    tenant = billed_tenant(plans)
    billing = billing_of(tenant.id)
    before = stripe_subscription(plans, billing)
    earlier = dict(before, status="active")  # an update sent earlier, delivered last
    cancelled = gateway.require(plans).v1.subscriptions.cancel(billing.stripe_subscription_id).to_dict()
    now = int(time.time())
    assert post_event(client, event("evt_order_2", "customer.subscription.deleted", cancelled, now)).status_code == 200
    assert post_event(client, event("evt_order_1", "customer.subscription.updated", earlier, now - 30)).status_code == 200
    assert tenant_by_slug(tenant.slug).status is TenantStatus.CANCELLED  # the late "active" did not revive it
    assert billing_of(tenant.id).subscription_status == "canceled"
    # and a late, older payment does not move the last payment back
    newer, older = now - 10, now - 1000
    for event_id, paid in (("evt_pay_new", newer), ("evt_pay_old", older)):
        invoice = {
            "id": f"in_{event_id}",
            "customer": billing.stripe_customer_id,
            "amount_paid": 1200,
            "currency": "cny",
            "created": paid,
            "status_transitions": {"paid_at": paid},
        }
        assert post_event(client, event(event_id, "invoice.paid", invoice)).status_code == 200
    assert billing_of(tenant.id).last_payment_at == datetime.fromtimestamp(newer, UTC)


def test_an_event_for_an_unknown_customer_is_recorded_alerted_and_answered_2xx(client, plans, caplog) -> None:
    payload = event(
        "evt_stranger",
        "customer.subscription.updated",
        {"id": "sub_stranger", "object": "subscription", "customer": "cus_nobody", "status": "active"},
    )
    with caplog.at_level(logging.ERROR, logger="paiqian.billing.webhooks"):
        response = post_event(client, payload)
    assert response.status_code == 200 and response.json() == {"status": "unknown_customer"}
    assert stored("evt_stranger").status == "unknown_customer"
    assert any("ALERT" in r.message and "evt_stranger" in r.message for r in caplog.records)


def test_an_unhandled_event_type_is_answered_2xx_and_recorded_as_ignored(client, plans) -> None:
    payload = event("evt_other", "charge.refunded", {"id": "ch_1", "customer": "cus_x"})
    response = post_event(client, payload)
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    assert stored("evt_other").status == "ignored"


def test_a_failing_event_is_recorded_and_processed_when_stripe_retries(client, plans, app, monkeypatch) -> None:
    tenant = billed_tenant(plans)
    billing = billing_of(tenant.id)
    cancelled = gateway.require(plans).v1.subscriptions.cancel(billing.stripe_subscription_id).to_dict()
    payload = event("evt_retry", "customer.subscription.deleted", cancelled)
    monkeypatch.setattr(app.state, "settings", dataclasses.replace(plans, stripe_api_base=f"http://127.0.0.1:{free_port()}"))
    assert post_event(client, payload).status_code == 500  # could not re-read the subscription
    assert stored("evt_retry").status == "failed" and "APIConnectionError" in stored("evt_retry").error
    assert tenant_by_slug(tenant.slug).status is TenantStatus.TRIAL
    monkeypatch.setattr(app.state, "settings", plans)
    assert post_event(client, payload).json() == {"status": "processed"}
    assert stored("evt_retry").attempts == 2 and tenant_by_slug(tenant.slug).status is TenantStatus.CANCELLED


# --- what the status does -----------------------------------------------------


def set_status(tenant_id, status: TenantStatus) -> None:
    with control_session() as db:
        db.execute(text("update tenants set status = :s where id = :t"), {"s": status.value, "t": tenant_id})


def test_past_due_shows_a_banner(signed_in, tenant) -> None:
    client = signed_in(tenant, __import__("service.accounts.models", fromlist=["StaffRole"]).StaffRole.ADMIN)
    assert 'role="alert"' not in client.get(f"/t/{tenant.slug}/workers").text
    set_status(tenant.id, TenantStatus.PAST_DUE)
    page = client.get(f"/t/{tenant.slug}/workers")
    assert page.status_code == 200 and f"/t/{tenant.slug}/billing" in page.text and 'class="alert"' in page.text


def test_a_suspended_tenant_is_read_only(signed_in, tenant, settings) -> None:
    from service.accounts.models import StaffRole

    worker = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.ADMIN)
    set_status(tenant.id, TenantStatus.SUSPENDED)
    assert client.get(f"/t/{tenant.slug}/workers/{worker.id}").status_code == 200
    token = csrf_from(client.get(f"/t/{tenant.slug}/workers/{worker.id}").text)
    refused = client.post(f"/t/{tenant.slug}/workers/{worker.id}/deactivate", data={"_csrf": token}, follow_redirects=False)
    assert refused.status_code == 403 and "只能查看，不能修改" in refused.text
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Worker).where(Worker.id == worker.id)).one().status is WorkerStatus.ACTIVE
    # signing out (and in) still works
    assert client.post(f"/t/{tenant.slug}/logout", data={"_csrf": token}, follow_redirects=False).status_code == 303
    sign_in(client, tenant.slug, tenant.admin_email)


# --- the operator console ------------------------------------------------------


def make_operator(email: str = "ops@paiqian.test") -> str:
    result = CliRunner().invoke(cli, ["operator", "create", "--email", email, "--name", "平台运营", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    return email


def operator_sign_in(client, email: str) -> None:
    page = client.get("/ops/login")
    response = client.post(
        "/ops/login", data={"_csrf": csrf_from(page.text), "email": email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def test_the_console_lists_every_tenant_and_creates_suspends_reactivates(client, plans) -> None:
    billed = billed_tenant(plans)
    make_worker(plans, billed)
    plain = make_tenant("老客户派遣公司")  # made before billing existed: no billing row
    operator_sign_in(client, make_operator())
    listing = client.get("/ops/")
    assert listing.status_code == 200
    assert billed.slug in listing.text and plain.slug in listing.text
    assert f"计费 {billing_of(billed.id).billed_quantity} 人" in listing.text

    page = client.get("/ops/tenants/new")
    created = client.post(
        "/ops/tenants",
        data={
            "_csrf": csrf_from(page.text),
            "name": "新派遣公司",
            "slug": "xin-pq",
            "admin_email": "boss@xin.test",
            "plan": "starter",
        },
    )
    assert created.status_code == 200 and "xin-pq" in created.text
    assert billing_of(tenant_by_slug("xin-pq").id).stripe_subscription_id

    detail = client.get(f"/ops/tenants/{billed.slug}")
    token = csrf_from(detail.text)
    assert client.post(f"/ops/tenants/{billed.slug}/suspend", data={"_csrf": token, "reason": ""}).status_code == 400
    assert (
        client.post(
            f"/ops/tenants/{billed.slug}/suspend", data={"_csrf": token, "reason": "欠费三个月"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert tenant_by_slug(billed.slug).status is TenantStatus.SUSPENDED
    # a Stripe event does not lift an operator's suspension
    billing = billing_of(billed.id)
    sub = stripe_subscription(plans, billing)
    assert post_event(client, event("evt_during_suspension", "customer.subscription.updated", sub)).status_code == 200
    assert tenant_by_slug(billed.slug).status is TenantStatus.SUSPENDED
    client.post(f"/ops/tenants/{billed.slug}/reactivate", data={"_csrf": token})
    assert tenant_by_slug(billed.slug).status is TenantStatus.TRIAL
    actions = [e.actor_kind for e in audit(billed.id, "tenant.status")]
    assert actions == ["operator", "operator"]
    # a plain tenant gets its billing row when first acted on
    assert client.post(f"/ops/tenants/{plain.slug}/suspend", data={"_csrf": token, "reason": "测试"}).status_code == 200


def test_a_tenant_the_console_creates_exists_only_with_its_audit_entry(client, plans, monkeypatch) -> None:
    from service.platform import actions

    operator_sign_in(client, make_operator())
    form = {
        "_csrf": csrf_from(client.get("/ops/tenants/new").text),
        "name": "审计派遣公司",
        "admin_email": "boss@audit.test",
        "plan": "starter",
    }
    assert client.post("/ops/tenants", data=form | {"slug": "audit-pq"}).status_code == 200
    [entry] = audit(tenant_by_slug("audit-pq").id, "tenant.create")
    assert entry.actor_kind == "operator" and entry.after == {"slug": "audit-pq", "plan": "starter"}

    # The entry is written in the transaction that creates the tenant: when writing it fails, no tenant is left.
    def audit_log_unavailable(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(actions, "record", audit_log_unavailable)
    assert client.post("/ops/tenants", data=form | {"slug": "audit-pq2"}).status_code == 500
    with control_session() as db:
        assert db.exec(select(Tenant).where(Tenant.slug == "audit-pq2")).first() is None


def test_operator_and_staff_sessions_count_only_where_they_were_started(client, tenant) -> None:
    operator_sign_in(client, make_operator())
    assert client.get("/ops/").status_code == 200
    inside = client.get(f"/t/{tenant.slug}/workers", follow_redirects=False)
    assert inside.status_code == 303 and inside.headers["location"].startswith(f"/t/{tenant.slug}/login")
    client.cookies.clear()
    sign_in(client, tenant.slug, tenant.admin_email)
    outside = client.get("/ops/", follow_redirects=False)
    assert outside.status_code == 303 and outside.headers["location"] == "/ops/login"


def test_a_wrong_operator_password_is_refused(client) -> None:
    make_operator()
    page = client.get("/ops/login")
    response = client.post("/ops/login", data={"_csrf": csrf_from(page.text), "email": "ops@paiqian.test", "password": "nope"})
    assert response.status_code == 400 and "pq_session" not in client.cookies


def test_support_access_is_granted_time_limited_read_only_visible_and_revocable(client, tenant, settings) -> None:
    make_worker(settings, tenant, name="李支持")
    operator_sign_in(client, make_operator())
    detail = client.get(f"/ops/tenants/{tenant.slug}")
    token = csrf_from(detail.text)
    assert (
        client.post(f"/ops/tenants/{tenant.slug}/support", data={"_csrf": token, "reason": "x", "hours": "500"}).status_code
        == 400
    )
    reason = "工资表导入报错排查"
    opened = client.post(f"/ops/tenants/{tenant.slug}/support", data={"_csrf": token, "reason": reason, "hours": "2"})
    assert opened.status_code == 200 and opened.url.path == f"/ops/tenants/{tenant.slug}"
    with tenant_session(tenant.id) as db:
        grant = db.exec(select(SupportGrant)).one()
    assert timedelta(hours=1, minutes=59) < grant.expires_at - grant.granted_at <= timedelta(hours=2)
    entered = client.post(f"/ops/tenants/{tenant.slug}/support/{grant.id}/enter", data={"_csrf": token}, follow_redirects=False)
    assert entered.status_code == 303
    roster = client.get(f"/t/{tenant.slug}/workers")
    assert roster.status_code == 200 and "李支持" in roster.text
    write = client.post(
        f"/t/{tenant.slug}/workers/1/deactivate", data={"_csrf": csrf_from(roster.text)}, follow_redirects=False
    )
    assert write.status_code == 403  # support is read-only
    assert [e.action for e in audit(tenant.id, "support.grant")] == ["support.grant"]
    assert len(audit(tenant.id, "support.enter")) == 1

    admin = __import__("litestar.testing", fromlist=["TestClient"]).TestClient(client.app, base_url="http://127.0.0.1")
    with admin:
        sign_in(admin, tenant.slug, tenant.admin_email)
        listed = admin.get(f"/t/{tenant.slug}/support-access")
        assert "工资表导入报错排查" in listed.text and "平台运营" in listed.text
        revoked = admin.post(
            f"/t/{tenant.slug}/support-access/{grant.id}/revoke", data={"_csrf": csrf_from(listed.text)}, follow_redirects=False
        )
        assert revoked.status_code == 303
    after = client.get(f"/t/{tenant.slug}/workers", follow_redirects=False)
    assert after.status_code == 303  # the support session ended with the grant
    assert len(audit(tenant.id, "support.revoke")) == 1


# --- retention -------------------------------------------------------------------


@pytest.mark.usefixtures("db_clean")  # read through the owner's engine
def test_a_cancelled_tenant_is_exported_then_deleted_after_retention(settings, tenant, other_tenant, tmp_path) -> None:
    make_worker(settings, tenant, name="要删除")
    make_worker(settings, other_tenant, name="要保留")
    with control_session() as db:
        ensure_default_plans(db)
        billing = open_account(db, tenant.id)
        billing.retention_until = date.today() - timedelta(days=1)
        db.add(billing)
    set_status(tenant.id, TenantStatus.CANCELLED)
    configured = dataclasses.replace(settings, export_dir=tmp_path)
    from service.billing.retention import due_for_deletion

    assert due_for_deletion(owner_engine(settings), date.today()) == [tenant.id]
    path = export_and_delete(configured, owner_engine(settings), tenant.id, lambda _line: None)
    with zipfile.ZipFile(path) as archive:
        workers = archive.read("workers.jsonl").decode()
        assert "要删除" in workers and "要保留" not in workers
        assert json.loads(archive.read("tenant.json"))["slug"] == tenant.slug
    with control_session() as db:
        assert db.get(Tenant, tenant.id) is None and db.get(Tenant, other_tenant.id) is not None
        assert db.execute(text("select rows_exported from tenant_deletions")).scalar() > 0
    with tenant_session(other_tenant.id) as db:
        assert [w.name for w in db.exec(select(Worker))] == ["要保留"]


def test_one_address_may_not_create_companies_without_limit(client, plans) -> None:
    from service.platform.signup import SIGNUPS_PER_ADDRESS

    codes = ["91350100M000100Y43", "91440300708461136T", "914403001922038216", "91110000802100433B", "91330100799655058B"]
    assert len(codes) == SIGNUPS_PER_ADDRESS
    for code in codes:
        client.cookies.clear()
        assert client.post("/signup", data=signup_form(client, credit_code=code), follow_redirects=False).status_code == 303
    client.cookies.clear()
    refused = client.post("/signup", data=signup_form(client, credit_code="91440300MA5FXAMPLW"), follow_redirects=False)
    assert refused.status_code == 400 and "注册次数过多" in refused.text


def test_revoking_a_support_access_that_does_not_exist_is_refused_on_the_page(client, tenant) -> None:
    sign_in(client, tenant.slug, tenant.admin_email)
    listed = client.get(f"/t/{tenant.slug}/support-access")
    refused = client.post(f"/t/{tenant.slug}/support-access/987654/revoke", data={"_csrf": csrf_from(listed.text)})
    assert refused.status_code == 400 and 'role="alert"' in refused.text

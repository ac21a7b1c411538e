"""The worker's schedule: what cron ran before, as periodic jobs.

procrastinate defers each periodic job once per scheduled time however many
workers run (``procrastinate_periodic_defers`` is unique by task and time),
and reads the schedule in UTC.  ``paiqian compliance check`` and ``paiqian
billing sync`` stay, for operators and for a deployment that keeps its
CronJobs.

- Compliance, every night at 00:05 China time: one job per tenant, each in
  its own tenant transaction, so one tenant's bad data fails only its own job
  (retried, then left failed in ``procrastinate_jobs`` and the log).
- Billing, every five minutes: pending worker counts and missing Stripe
  customers (a platform job: the billing rows are control-plane tables);
  daily, the reconcile.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date

from procrastinate import RetryStrategy

from service import clock
from service.billing import subscriptions
from service.compliance import check
from service.queue import app, defer_in
from service.settings import get_settings
from tenants.isolation import control_session

log = logging.getLogger("paiqian.jobs")

# Their own queue, so a deployment can give them their own worker (``paiqian worker --queue``)
# and a long night's work never delays a clerk's payroll run.
QUEUE = "scheduled"

RETRY = RetryStrategy(max_attempts=3, wait=60)


@app.periodic(cron="5 16 * * *")  # 16:05 UTC is 00:05 in China: alerts move with the Chinese date
@app.task(name="compliance.check_all", queue=QUEUE, queueing_lock="compliance.check_all")
def compliance_check_all(timestamp: int) -> None:
    """Queue one check per tenant, all in one transaction."""
    today = clock.today()
    with control_session() as db:
        for tenant in check.tenants_to_check():
            defer_in(db, compliance_check_tenant, tenant_id=str(tenant.id), today=today.isoformat())


@app.task(name="compliance.check_tenant", queue=QUEUE, retry=RETRY)
def compliance_check_tenant(tenant_id: str, today: str) -> None:
    counts = check.check_tenant(uuid.UUID(tenant_id), date.fromisoformat(today))
    log.info("compliance check of tenant %s on %s: %s", tenant_id, today, check.describe(counts))


@app.periodic(cron="*/5 * * * *")
@app.task(name="billing.sync", queue=QUEUE, queueing_lock="billing.sync")
def billing_sync(timestamp: int) -> None:
    subscriptions.process_due(get_settings())


@app.periodic(cron="15 2 * * *")
@app.task(name="billing.reconcile", queue=QUEUE, queueing_lock="billing.reconcile", retry=RETRY)
def billing_reconcile(timestamp: int) -> None:
    if subscriptions.reconcile(get_settings()):
        raise RuntimeError("some subscriptions were not reconciled (see the log)")

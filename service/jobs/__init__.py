"""Long and background work, queued in PostgreSQL itself and run by ``paiqian worker``.

Why procrastinate: the queue lives in the database we already run (no Redis
or broker to deploy, back up and secure), so a job can be deferred inside the
very transaction that asks for it (``queue.defer_in``): the job exists if and
only if that transaction commits.  Workers register and send heartbeats, so a
job whose worker died is found (``worker.retry_stalled``) and retried or
marked failed; periodic tasks replace the cron entries; and its worker runs
plain synchronous functions in threads, which is what our SQLAlchemy code is.

- ``queue``: the procrastinate App and deferring in the caller's transaction.
- ``payroll``: a run's calculation (progress and the all-or-nothing
  transaction stay in ``service.payroll.runs.progress`` and ``runs.actions``).
- ``periodic``: the daily compliance check (one job per tenant) and the
  billing sync and reconcile.
- ``worker``: the ``paiqian worker`` process, with the stalled-job check.

Every tenant's job names its tenant in its arguments and opens its
transactions with ``tenants.isolation.tenant_session``, like a request.
"""

"""A payroll run's calculation as a job: deferred by the run page, run by ``paiqian worker``.

``start`` refuses a published or running run, marks it queued and defers the
job in one transaction, then waits a little for the result (see
``service.payroll.runs.progress``).  The job holds the run's lock, so two
calculations of one run never run at once.  A calculation that was refused
or failed is not a failed *job*: its outcome is on the progress row, where the
page shows it.  A job whose worker died is retried from the start (the dead
worker's transaction was rolled back whole); when the worker check gives up on
it, ``abandoned`` writes the failure on the row, so the run's page says so.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from service.audit import Actor
from service.payroll.runs import actions as runs
from service.payroll.runs import progress as run_progress
from service.queue import app, defer_in
from tenants.isolation import tenant_session


@app.task(name="payroll.calculate")
def calculate(tenant_id: str, run_id: int, actor: dict[str, Any]) -> None:
    run_progress.calculate_now(uuid.UUID(tenant_id), Actor(**actor), run_id)


def abandoned(tenant_id: str, run_id: int, actor: dict[str, Any]) -> None:
    """The job will not be tried again (its workers kept dying): say so on the run's page."""
    run_progress.Reporter(uuid.UUID(tenant_id), run_id).fail({"message": run_progress.UNEXPECTED, "params": {}, "field": None})


def start(tenant_id: uuid.UUID, actor: Actor, run_id: int, wait: float | None = None) -> run_progress.Result | None:
    """Queue the run's calculation (refused if published or already running) and wait up to
    ``wait`` seconds: the Result, or None while it is still running.  LookupError: no such run."""
    with tenant_session(tenant_id) as db:
        run = runs.get_run(db, run_id)
        if run is None:
            raise LookupError(run_id)
        runs.refuse_published(run)
        run_progress.begin(db, run_id)
        defer_in(
            db,
            calculate,
            lock=f"payroll-run-{tenant_id}-{run_id}",
            tenant_id=str(tenant_id),
            run_id=run_id,
            actor=asdict(actor),
        )
    return run_progress.wait_for(tenant_id, run_id, run_progress.WAIT if wait is None else wait)

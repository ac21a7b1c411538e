"""A payroll run's calculation as a job of the queue, with its progress on the page.

The calculation itself stays one transaction (``actions.calculate``): all or
nothing.  Its phase (reading the inputs, computing n of N, saving payslips,
totals and audit) is written to ``payroll_run_progress`` on *separate* short
transactions (``Reporter``), throttled, so another request can read it while
the calculation's own transaction is still open: the run page polls
``/payroll/<id>/progress`` with a small script, or refreshes itself without
JavaScript.  A failed calculation leaves its error (the refused workers, or
the message) on the row and nothing else: the page shows it.  Those writes are
here, not in ``actions.py``: they are the job's own transactions, not business data.

``service.payroll.runs.jobs.start`` marks the row 'queued' (``begin``) and defers
the job in the same transaction, then waits up to ``WAIT`` seconds for the row
to say done or failed (``wait_for``), so a small run answers in the same
request as before, and a large one shows its progress.  The worker runs
``calculate_now``.  A worker that dies mid-way takes its open transaction with
it (nothing is written); the queue retries the job or marks it failed
(``service.jobs.worker``), and a row left active with nobody working on it is
treated as finished after ``STALE``.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from time import monotonic, sleep
from typing import Any

from sqlalchemy import text
from sqlmodel import select

from service.audit import Actor
from service.errors import N_, DomainError, Label
from service.payroll.runs import actions as runs
from service.payroll.runs.inputs import Missing
from service.payroll.runs.models import ProgressPhase, RunProgress
from tenants.isolation import TenantSession, tenant_session

log = logging.getLogger(__name__)

STALE = timedelta(minutes=15)
MIN_INTERVAL = 0.25  # seconds between two writes of the same phase
WAIT = 3.0  # seconds a request waits for the calculation before showing its progress
POLL = 0.05  # seconds between two reads of the progress row while a request waits
UNEXPECTED = N_("The calculation failed unexpectedly: nothing was saved. Try again; if it fails again, ask for help.")


def params_to_json(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Label):
            out[key] = {"label": str(value)}
        elif isinstance(value, (str, int, float, bool)) or value is None:
            out[key] = value
        else:
            out[key] = str(value)
    return out


def params_from_json(params: dict[str, Any]) -> dict[str, Any]:
    return {k: Label(v["label"]) if isinstance(v, dict) and "label" in v else v for k, v in params.items()}


def current(db: TenantSession, run_id: int) -> RunProgress | None:
    return db.exec(select(RunProgress).where(RunProgress.tenant_id == db.tenant_id, RunProgress.run_id == run_id)).first()


def is_running(row: RunProgress | None) -> bool:
    return bool(row and row.active and row.updated_at and datetime.now(UTC) - row.updated_at < STALE)


def begin(db: TenantSession, run_id: int) -> None:
    """Mark the run queued; refuses while another calculation of it is running."""
    tenant_id = db.tenant_id
    row = db.exec(
        select(RunProgress).where(RunProgress.tenant_id == tenant_id, RunProgress.run_id == run_id).with_for_update()
    ).first()
    if is_running(row):
        raise DomainError(N_("This run is already being calculated: wait for it to finish."), field="status")
    db.execute(
        text(
            """
            insert into payroll_run_progress (tenant_id, run_id, phase, done, total, error, started_at, updated_at)
            values (:tenant, :run, 'queued', 0, 0, null, now(), now())
            on conflict (tenant_id, run_id) do update set phase = 'queued', done = 0, total = 0, error = null,
              started_at = now(), updated_at = now()
            """
        ),
        {"tenant": tenant_id, "run": run_id},
    )


class Reporter:
    """The ``progress`` callable ``actions.calculate`` takes: each call a short transaction of its own."""

    def __init__(self, tenant_id: uuid.UUID, run_id: int) -> None:
        self.tenant_id = tenant_id
        self.run_id = run_id
        self._phase = ""
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = monotonic()
        if phase == self._phase and now - self._last < MIN_INTERVAL and done != total:
            return
        self._phase, self._last = phase, now
        self._write(phase, done, total, None)

    def fail(self, error: dict[str, Any]) -> None:
        self._write(ProgressPhase.FAILED.value, 0, 0, error)

    def done(self, count: int) -> None:
        self._write(ProgressPhase.DONE.value, count, count, None)

    def _write(self, phase: str, done: int, total: int, error: dict[str, Any] | None) -> None:
        try:
            with tenant_session(self.tenant_id) as db:
                db.execute(
                    text(
                        "update payroll_run_progress set phase = :phase, done = :done, total = :total,"
                        " error = cast(:error as jsonb), updated_at = now() where tenant_id = :tenant and run_id = :run"
                    ),
                    {
                        "phase": phase,
                        "done": done,
                        "total": total,
                        "tenant": self.tenant_id,
                        "run": self.run_id,
                        "error": None if error is None else json.dumps(error, ensure_ascii=False),
                    },
                )
        except Exception:  # progress is a courtesy: never let it break the calculation
            log.exception("payroll run %s: progress not written", self.run_id)


@dataclass
class Result:
    """What a finished calculation came to (``None`` from ``wait_for`` while it still runs)."""

    payslips: int | None = None
    refused: runs.CalculationRefused | None = None
    error: DomainError | None = None
    crashed: bool = False


def refused_json(refused: runs.CalculationRefused) -> dict[str, Any]:
    return {
        "refused": [
            {"worker_id": p.worker_id, "name": p.name, "reason": p.reason, "params": params_to_json(p.params)}
            for p in refused.problems
        ]
    }


def error_json(error: DomainError) -> dict[str, Any]:
    return {"message": error.message, "params": params_to_json(error.params), "field": error.field}


def calculate_now(tenant_id: uuid.UUID, actor: Actor, run_id: int) -> Result:
    """Run the calculation in this thread, reporting progress; never raises."""
    reporter = Reporter(tenant_id, run_id)
    result = Result()
    try:
        with tenant_session(tenant_id) as db:
            run = runs.get_run(db, run_id)
            if run is None:
                raise DomainError(N_("This payroll run no longer exists."), field="status")
            result.payslips = runs.calculate(db, run, reporter, actor=actor).payslips
    except runs.CalculationRefused as refused:
        result.refused = refused
        reporter.fail(refused_json(refused))
    except DomainError as error:
        result.error = error
        reporter.fail(error_json(error))
    except Exception:
        log.exception("payroll run %s: calculation failed", run_id)
        result.crashed = True
        reporter.fail({"message": UNEXPECTED, "params": {}, "field": None})
    else:
        reporter.done(result.payslips or 0)
    return result


def result_of(row: RunProgress | None) -> Result | None:
    """The Result a finished calculation left on its progress row; None while it runs."""
    if row is None or row.phase not in (ProgressPhase.DONE.value, ProgressPhase.FAILED.value):
        return None
    if row.phase == ProgressPhase.DONE.value:
        return Result(payslips=row.done)
    error = row.error or {}
    if "refused" in error:
        problems = [
            Missing(p["worker_id"], p["name"], p["reason"], params_from_json(p.get("params") or {})) for p in error["refused"]
        ]
        return Result(refused=runs.CalculationRefused(problems))
    if error.get("message", UNEXPECTED) == UNEXPECTED:
        return Result(crashed=True)
    return Result(error=DomainError(error["message"], field=error.get("field"), **params_from_json(error.get("params") or {})))


def wait_for(tenant_id: uuid.UUID, run_id: int, seconds: float) -> Result | None:
    """Poll the run's progress row for up to ``seconds``: the Result, or None while it still runs."""
    deadline = monotonic() + seconds
    while True:
        with tenant_session(tenant_id) as db:
            result = result_of(current(db, run_id))
        if result is not None or monotonic() >= deadline:
            return result
        sleep(POLL)

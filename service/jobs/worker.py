"""``paiqian worker``: runs the queued jobs, and retries the jobs of workers that died.

Each worker sends a heartbeat every ``stalled_after / 3`` seconds.  Every
``stalled_after`` seconds each worker looks for jobs still 'doing' whose worker
has sent none for ``stalled_after`` seconds (killed, out of memory, its
machine gone): such a job is retried from the start, up to ``MAX_ATTEMPTS``
runs in all, then marked failed, and its task's ``abandoned`` hook (if any)
tells the user.  Nothing a dead job did is left half-written: its transaction
died with its connection.  Two workers retrying the same job is harmless:
procrastinate refuses the second retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, cast

from procrastinate import PsycopgConnector, exceptions, jobs
from procrastinate.utils import sync_to_async
from psycopg_pool import AsyncConnectionPool

from service.assessment import jobs as items_import
from service.payroll.opening_balances import jobs as opening_balances_import
from service.payroll.runs import jobs as payroll
from service.payroll.runs.amounts import jobs as amounts_import
from service.queue import app, conninfo
from service.settings import Settings
from service.workforce.attendance import jobs as attendance_import
from service.workforce.bank_accounts import jobs as bank_accounts_import
from service.workforce.contracts import jobs as contracts_import
from service.workforce.roster import jobs as roster_import

log = logging.getLogger("paiqian.jobs")

STALLED_AFTER = 30.0  # seconds without a heartbeat before a worker's jobs are taken over
MAX_ATTEMPTS = 3  # runs of a job whose workers keep dying, before it is marked failed
ABANDONED: dict[str, Callable[..., None]] = {
    payroll.calculate.name: payroll.abandoned,
    roster_import.SHEET.task.name: roster_import.SHEET.abandoned,
    contracts_import.SHEET.task.name: contracts_import.SHEET.abandoned,
    attendance_import.SHEET.task.name: attendance_import.SHEET.abandoned,
    amounts_import.SHEET.task.name: amounts_import.SHEET.abandoned,
    items_import.SHEET.task.name: items_import.SHEET.abandoned,
    bank_accounts_import.SHEET.task.name: bank_accounts_import.SHEET.abandoned,
    opening_balances_import.SHEET.task.name: opening_balances_import.SHEET.abandoned,
}


async def retry_stalled(stalled_after: float) -> int:
    """Retry (or, after MAX_ATTEMPTS, fail) every job of a worker silent for ``stalled_after`` s."""
    manager = app.job_manager
    handled = 0
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        try:
            if job.attempts + 1 < MAX_ATTEMPTS:  # attempts: the retries so far
                log.warning("job %s (%s): its worker stopped; retrying", job.id, job.task_name)
                await manager.retry_job(job)
            else:
                log.error("job %s (%s): its worker stopped %s times; marked failed", job.id, job.task_name, MAX_ATTEMPTS)
                await manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
                hook = ABANDONED.get(job.task_name)
                if hook is not None:
                    await sync_to_async(hook, **job.task_kwargs)
        except exceptions.ConnectorException:  # another worker took it first
            continue
        handled += 1
    await manager.prune_stalled_workers(stalled_after)
    return handled


async def _watch_stalled(stalled_after: float) -> None:
    while True:
        try:
            await retry_stalled(stalled_after)
        except Exception:  # a passing database error: look again next time
            log.exception("stalled-job check failed")
        await asyncio.sleep(stalled_after)


def _forget_pool() -> None:
    """procrastinate keeps a pool it was handed (``open_async(pool)``) even once that pool is closed, so a
    worker started again in the same process (the test suite does) would find it dead: start afresh."""
    connector = cast(PsycopgConnector, app.connector)
    connector._async_pool = None
    connector._pool_externally_set = False


async def run_async(settings: Settings, *, concurrency: int = 2, stalled_after: float = STALLED_AFTER, **options: Any) -> None:
    """Run the worker until it is stopped (SIGINT/SIGTERM, or cancelled)."""
    try:
        async with (
            AsyncConnectionPool(conninfo(settings), min_size=1, max_size=concurrency + 3, open=False) as pool,
            app.open_async(pool),
        ):
            watch = asyncio.create_task(_watch_stalled(stalled_after), name="stalled jobs")
            try:
                await app.run_worker_async(
                    concurrency=concurrency,
                    update_heartbeat_interval=stalled_after / 3,
                    stalled_worker_timeout=stalled_after,
                    delete_jobs="successful",
                    **options,
                )
            finally:
                watch.cancel()
    finally:
        _forget_pool()


def run(
    settings: Settings, *, concurrency: int = 2, stalled_after: float = STALLED_AFTER, queues: list[str] | None = None
) -> None:
    """Run the worker on ``queues`` (None: every queue) until SIGINT or SIGTERM."""
    asyncio.run(run_async(settings, concurrency=concurrency, stalled_after=stalled_after, queues=queues))

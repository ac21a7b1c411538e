"""The job worker the app under test needs, as ``make run`` starts it beside the server.

A real procrastinate worker (``service.jobs.worker.run_async``) on the test
database, in a thread of the test process, so a test's monkeypatches reach
the jobs it runs.  It takes the 'default' queue only: the scheduled jobs
(compliance, billing) would otherwise run in the middle of unrelated tests.
``client`` and the browser pages start it; a test that runs its own worker
processes asks for ``no_job_worker``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from service.jobs.worker import run_async
from service.settings import Settings


class InProcessWorker:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._thread is not None:
            # A worker that died would leave every later test waiting for jobs nobody runs: say so here.
            assert self._thread.is_alive(), "the in-process job worker died (its exception is in the warnings)"
            return
        started = threading.Event()

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._task = loop.create_task(
                run_async(self.settings, queues=["default"], install_signal_handlers=False, shutdown_graceful_timeout=30)
            )
            loop.call_soon(started.set)
            try:
                loop.run_until_complete(self._task)
            except asyncio.CancelledError:
                pass
            finally:
                loop.close()

        self._thread = threading.Thread(target=main, name="job-worker", daemon=True)
        self._thread.start()
        assert started.wait(10), "the job worker did not start"

    def stop(self) -> None:
        """Stop taking jobs, let the running ones finish (up to 30 s)."""
        if self._thread is None:
            return
        assert self._loop is not None and self._task is not None
        self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(60)
        self._thread = None


@pytest.fixture(scope="session")
def _in_process_worker(settings: Settings) -> Iterator[InProcessWorker]:
    worker = InProcessWorker(settings)
    yield worker
    worker.stop()


@pytest.fixture()
def job_worker(_in_process_worker: InProcessWorker) -> InProcessWorker:
    _in_process_worker.start()
    return _in_process_worker


@pytest.fixture()
def no_job_worker(_in_process_worker: InProcessWorker) -> None:
    """No worker in this process: the test's own worker processes take every job."""
    _in_process_worker.stop()

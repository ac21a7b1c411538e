"""``paiqian serve --workers 2``: a real server of two processes, cold, under concurrent requests.

Each process opens its database engines as it starts; before, a cold server's first concurrent requests
raced to create them and some answered 500.  The server also survives the database dropping its
connections: a request's first statement is retried once on a fresh connection.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from service.settings import Settings
from service.web import sessions
from tenants.isolation import tenant_session
from tests.support.factories import make_tenant

pytestmark = pytest.mark.usefixtures("db_clean")  # the server's processes see committed data only

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "paiqian-serve-test"  # the server's connections, told apart from the suite's own
CONCURRENT = 50


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(log: Path, port: int) -> Iterator[str]:
    """``paiqian serve --workers 2`` on the test database, stopped (with its processes) at the end."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--workers", "2", "--port", str(port)],
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT), "PGAPPNAME": APP_NAME},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:  # the socket accepts (uvicorn binds it before starting its processes): the server is still cold
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start listening within 60 s"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


async def fire(base: str, paths: list[str], cookie: str) -> list[int]:
    """Every path requested at once; each status, or 0 for a request that got no answer."""
    async with httpx.AsyncClient(base_url=base, timeout=60, cookies={sessions.COOKIE: cookie}) as client:

        async def one(path: str) -> int:
            try:
                return (await client.get(path)).status_code
            except httpx.HTTPError:
                return 0

        return list(await asyncio.gather(*(one(path) for path in paths)))


def _run_apart(requests: Coroutine[Any, Any, list[int]], seconds: float) -> list[int]:
    """Run the concurrent client on an event loop of its own thread: the browser tests' Playwright keeps a
    loop running in this process's main thread, where ``asyncio.run`` would refuse to start."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, asyncio.wait_for(requests, seconds)).result()


def test_a_cold_server_of_two_processes_answers_concurrent_requests(settings: Settings, superuser: Engine, tmp_path) -> None:
    tenant = make_tenant()
    with tenant_session(tenant.id) as db:
        staff_id = db.execute(text("select id from staff_users where email = :e"), {"e": tenant.admin_email}).scalar_one()
        token = sessions.start(db, settings, tenant_id=tenant.id, principal_kind="staff", principal_id=staff_id)
    # A signed-in page, a public page of the tenant, an unknown tenant and a probe: each process's first
    # requests bind transactions, read sessions and principals, and render templates all at once.
    kinds = [f"/t/{tenant.slug}/", f"/t/{tenant.slug}/login", "/t/no-such-company/login", "/healthz"]
    paths = [kinds[i % len(kinds)] for i in range(CONCURRENT)]
    expected = {kinds[0]: 200, kinds[1]: 200, kinds[2]: 404, kinds[3]: 200}

    with server(tmp_path / "serve.log", free_port()) as base:
        statuses = _run_apart(fire(base, paths, token), 120)
        assert [expected[path] for path in paths] == statuses, (statuses, (tmp_path / "serve.log").read_text()[-3000:])

        # The database drops every connection the server holds (a restart, a failover): the next requests
        # still answer, each retrying its first statement on a fresh connection.
        with superuser.connect() as connection:
            dropped = connection.execute(
                text("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = :name"),
                {"name": APP_NAME},
            ).scalar_one()
            assert dropped > 0
            gone = text("select count(*) = 0 from pg_stat_activity where application_name = :name")
            deadline = time.monotonic() + 30
            while not connection.execute(gone, {"name": APP_NAME}).scalar_one():  # terminating is asynchronous
                assert time.monotonic() < deadline, "the server's connections were not dropped within 30 s"
                time.sleep(0.05)
        after = _run_apart(fire(base, [kinds[0]] * 10, token), 60)
        assert after == [200] * 10, (after, (tmp_path / "serve.log").read_text()[-3000:])

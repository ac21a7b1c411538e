"""What the benchmarks share: timing and printing, EXPLAIN summaries, the signed-in HTTP timings.

The bench tenant's admin (``ADMIN_EMAIL`` / ``ADMIN_PASSWORD``) is created by
the roster benchmark's seeding and reused by the others to sign in over HTTP.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from enum import Enum
from time import perf_counter
from typing import Any

from service.settings import Settings

Echo = Callable[[str], Any]

HTTP_REPEAT = 10
ADMIN_EMAIL = "admin@bench.paiqian.cn"
ADMIN_PASSWORD = "Bench2026roster"
LABEL_WIDTH = 36


# -- timing helpers ---------------------------------------------------------


def measure(call: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``call`` once to warm up, then ``repeat`` times; milliseconds each."""
    result = call()
    times = []
    for _ in range(repeat):
        started = perf_counter()
        result = call()
        times.append((perf_counter() - started) * 1000)
    return times, result


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def pad(label: str) -> str:
    """Left-justify to LABEL_WIDTH display columns (a Chinese character takes two)."""
    width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in label)
    return label + " " * max(1, LABEL_WIDTH - width)


def line(echo: Echo, label: str, times: list[float], detail: str = "") -> None:
    echo(
        f"  {pad(label)} median {statistics.median(times):7.1f} ms   p95 {p95(times):7.1f} ms"
        + (f"   {detail}" if detail else "")
    )


# -- EXPLAIN ----------------------------------------------------------------


def _plan_nodes(node: dict, out: list[str]) -> None:
    kind = node["Node Type"]
    if kind == "Result":  # only carries the one-time tenant check; leave it out of the summary
        for child in node.get("Plans", []):
            _plan_nodes(child, out)
        return
    if "Index Name" in node:
        kind += f" using {node['Index Name']}"
    elif "Relation Name" in node:
        kind += f" on {node['Relation Name']}"
    if node.get("Scan Direction") == "Backward":
        kind = kind.replace("Scan", "Scan Backward", 1)
    extras = []
    if "Relation Name" in node or "Index Name" in node:
        extras.append(f"rows {node.get('Actual Rows', 0):.0f}")
        removed = node.get("Rows Removed by Filter")
        if removed:
            extras.append(f"filtered out {removed:.0f}")
    out.append(kind + (f" ({', '.join(extras)})" if extras else ""))
    for child in node.get("Plans", []):
        _plan_nodes(child, out)


def explain(db, statement) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) the statement in the caller's tenant transaction."""
    conn = db.connection()
    compiled = statement.compile(dialect=conn.dialect)
    params = {k: (v.value if isinstance(v, Enum) else v) for k, v in compiled.params.items()}
    rows = conn.exec_driver_sql("explain (analyze, buffers, format json) " + str(compiled), params).scalar_one()
    report = rows[0] if isinstance(rows, list) else rows
    plan = report["Plan"]
    nodes: list[str] = []
    _plan_nodes(plan, nodes)
    return (
        f"exec {report['Execution Time']:7.2f} ms   buffers hit {plan.get('Shared Hit Blocks', 0)}"
        f" read {plan.get('Shared Read Blocks', 0)}   " + " > ".join(nodes)
    )


# -- HTTP -------------------------------------------------------------------


def http_timings(settings: Settings, echo: Echo, slug: str, page: str, queries: Iterable[tuple[str, str]]) -> None:
    """Sign in as the bench admin, then time GET /t/<slug>/<page>/<query> for each (label, query)."""
    httpx_logger = logging.getLogger("httpx")  # one INFO line per request otherwise
    level = httpx_logger.level
    httpx_logger.setLevel(logging.WARNING)
    try:
        _signed_in_timings(settings, echo, slug, page, queries)
    finally:
        httpx_logger.setLevel(level)


def _signed_in_timings(settings: Settings, echo: Echo, slug: str, page: str, queries: Iterable[tuple[str, str]]) -> None:
    from litestar.testing import TestClient

    from service.app import create_app

    with TestClient(app=create_app(settings)) as client:
        login = client.get(f"/t/{slug}/login")
        match = re.search(r'name="_csrf" value="([^"]+)"', login.text)
        if login.status_code != 200 or match is None:
            echo(f"  HTTP skipped: GET /t/{slug}/login answered {login.status_code} without a _csrf field")
            return
        signed_in = client.post(
            f"/t/{slug}/login",
            data={"_csrf": match.group(1), "next": "", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
            follow_redirects=False,
        )
        if signed_in.status_code != 303:
            echo(f"  HTTP skipped: sign-in as {ADMIN_EMAIL} answered {signed_in.status_code}")
            return
        for label, query in queries:
            path = f"/t/{slug}/{page}/{query}"

            def get(path: str = path) -> tuple[int, int]:
                response = client.get(path, follow_redirects=False)
                return response.status_code, len(response.content)

            times, (status, size) = measure(get, HTTP_REPEAT)
            line(echo, label, times, f"HTTP {status}, {size // 1024} KiB")

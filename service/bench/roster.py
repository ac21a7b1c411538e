"""``paiqian bench roster``: roster search, filter and page timings at scale.

A benchmark, not a test: it prints figures and asserts nothing.  It seeds a
tenant ``bench-<workers>`` once (reused on later runs), then times the
roster queries the way a request runs them (one tenant transaction each, on
the app role, so row-level security applies), the roster page through HTTP,
and prints EXPLAIN (ANALYZE, BUFFERS) summaries of the two commonest queries.
"""

from __future__ import annotations

import math
import uuid
from time import perf_counter

from sqlalchemy import func, text
from sqlmodel import col, select

from service.audit import SYSTEM
from service.bench.common import ADMIN_EMAIL, ADMIN_PASSWORD, HTTP_REPEAT, Echo, explain, http_timings, line, measure, pad
from service.database.engines import app_engine, owner_engine
from service.demo import BUREAUS, demo_workers, seed_demo_bureaus
from service.keys import Keys, keys_for
from service.platform.provisioning import create_tenant
from service.settings import Settings
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster import queries as roster
from service.workforce.roster.actions import import_workers, reveal_id_number
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant, TenantStatus

REPEAT = 20
SEED = 2026
IMPORT_CHUNK = 10_000  # rows per import_workers call (keeps the IN (...) list and audit insert bounded)
COMMON_SURNAME = "王"


# -- seeding ----------------------------------------------------------------


def _find_tenant(slug: str) -> Tenant | None:
    with control_session() as control:
        return control.exec(select(Tenant).where(Tenant.slug == slug)).first()


def _worker_count(tenant_id: uuid.UUID) -> int:
    with tenant_session(tenant_id) as db:
        return db.exec(select(func.count()).select_from(Worker).where(Worker.tenant_id == tenant_id)).one()


def _ensure_tenant(keys: Keys, slug: str, workers: int, echo: Echo) -> uuid.UUID:
    existing = _find_tenant(slug)
    if existing is not None:
        count = _worker_count(existing.id)
        note = "" if count == workers else f"  (expected {workers:,}!)"
        echo(f"tenant {slug} reused: {count:,} workers already seeded{note}")
        return existing.id

    started = perf_counter()
    rows = demo_workers(workers, seed=SEED)
    generated = perf_counter() - started

    def populate(db, tenant_id: uuid.UUID) -> None:
        seed_demo_bureaus(db)
        for start in range(0, len(rows), IMPORT_CHUNK):
            import_workers(db, keys, rows[start : start + IMPORT_CHUNK], actor=SYSTEM)

    started = perf_counter()
    result = create_tenant(
        slug=slug,
        name=f"基准测试 {workers} 人",
        admin_email=ADMIN_EMAIL,
        admin_name="基准管理员",
        admin_password=ADMIN_PASSWORD,
        status=TenantStatus.ACTIVE,
        populate=populate,
    )
    inserted = perf_counter() - started
    echo(
        f"tenant {slug} created: {workers:,} workers   generate {generated:5.1f} s   "
        f"insert+audit+commit {inserted:5.1f} s   total {generated + inserted:5.1f} s"
    )
    return result.tenant.id


def _analyze(settings: Settings, echo: Echo) -> None:
    started = perf_counter()
    with owner_engine(settings).begin() as conn:
        conn.execute(text("analyze workers"))
    echo(f"{pad('analyze workers (owner engine)')}   {(perf_counter() - started) * 1000:7.1f} ms")


# -- EXPLAIN ----------------------------------------------------------------


def _explain_search(echo: Echo, keys: Keys, tenant_id: uuid.UUID, label: str, f: roster.RosterFilter) -> None:
    # The same two statements roster.search issues (count, then the page).
    conditions = roster._conditions(keys, tenant_id, f)
    count = roster.count_statement(conditions)
    page = roster.page_statement(tenant_id, conditions, 1, roster.PER_PAGE)
    with tenant_session(tenant_id) as db:
        echo(f"  {pad(label + ' (count)')} {explain(db, count)}")
        echo(f"  {pad(label + ' (page)')} {explain(db, page)}")


# -- the benchmark ----------------------------------------------------------


def run(settings: Settings, workers: int, echo: Echo) -> None:
    if workers < 1:
        echo("--workers must be at least 1")
        return
    started = perf_counter()
    keys = keys_for(settings)
    app_engine(settings)  # start the embedded server (if any) before timing anything
    slug = f"bench-{workers}"
    echo(f"roster benchmark: {workers:,} workers, {REPEAT} repetitions per query ({HTTP_REPEAT} per HTTP request)")
    tenant_id = _ensure_tenant(keys, slug, workers, echo)
    _analyze(settings, echo)

    with tenant_session(tenant_id) as db:
        total = db.exec(select(func.count()).select_from(Worker).where(Worker.tenant_id == tenant_id)).one()
        sample = db.exec(
            select(Worker)
            .where(Worker.tenant_id == tenant_id, col(Worker.phone).is_not(None))
            .order_by(col(Worker.id))
            .offset(total // 2)
            .limit(1)
        ).first()
        if sample is None:
            echo("no worker to sample; nothing to measure")
            return
        id_number = reveal_id_number(keys, sample)
    last_page = max(1, math.ceil(total / roster.PER_PAGE))
    phone_prefix = (sample.phone or "138")[:7]

    cases: list[tuple[str, roster.RosterFilter, int]] = [
        ("roster.search first page", roster.RosterFilter(), 1),
        (f"roster.search name {COMMON_SURNAME}", roster.RosterFilter(q=COMMON_SURNAME), 1),
        (
            "roster.search status+bureau+grade",
            roster.RosterFilter(status=WorkerStatus.ACTIVE, client_bureau=BUREAUS[0][0], grade=5),
            1,
        ),
        ("roster.search exact ID number", roster.RosterFilter(q=id_number), 1),
        (f"roster.search phone prefix {phone_prefix}", roster.RosterFilter(q=phone_prefix), 1),
        ("roster.search phone prefix 138", roster.RosterFilter(q="138"), 1),
        (f"roster.search last page ({last_page})", roster.RosterFilter(), last_page),
    ]
    echo("")
    echo("roster queries (one tenant transaction each, app role, RLS on):")
    for label, f, page in cases:

        def search(f: roster.RosterFilter = f, page: int = page) -> roster.RosterPage:
            with tenant_session(tenant_id) as db:
                return roster.search(db, keys, f, page)

        times, result = measure(search, REPEAT)
        line(echo, label, times, f"{result.total:,} match, page {result.page}, {len(result.workers)} rows")

    def choices() -> dict[str, list[str]]:
        with tenant_session(tenant_id) as db:
            return roster.filter_choices(db)

    times, result = measure(choices, REPEAT)
    line(
        echo, "roster.filter_choices", times, f"{len(result['client_bureaus'])} bureaus, {len(result['post_lines'])} post lines"
    )

    echo("")
    echo("HTTP (TestClient, signed in as the tenant admin; includes session, template):")
    requests = (
        ("GET /workers (first page)", ""),
        (f"GET /workers?q={COMMON_SURNAME}", f"?q={COMMON_SURNAME}"),
        (f"GET /workers?page={last_page}", f"?page={last_page}"),
    )
    http_timings(settings, echo, slug, "workers", requests)

    echo("")
    echo("EXPLAIN (ANALYZE, BUFFERS), app role in a tenant transaction:")
    _explain_search(echo, keys, tenant_id, "first page", roster.RosterFilter())
    _explain_search(echo, keys, tenant_id, f"name {COMMON_SURNAME}", roster.RosterFilter(q=COMMON_SURNAME))
    _explain_search(echo, keys, tenant_id, f"phone {phone_prefix}", roster.RosterFilter(q=phone_prefix))

    echo("")
    echo(f"benchmark finished in {perf_counter() - started:.1f} s")

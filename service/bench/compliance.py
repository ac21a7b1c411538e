"""``paiqian bench compliance``: recomputing alerts and the compliance page at scale.

A benchmark, not a test: it prints figures and asserts nothing.  It reuses
the roster benchmark's tenant ``bench-<workers>`` (seeding it the same way
when missing) and, once, gives it what a real roster has: a city and a
social-insurance registration per worker, and a chain of three-year
contracts from the hire date (a few workers with none, some with probation,
some ending soon).  That bench data is written with plain SQL, unaudited:
it stands for years of history no action would replay.

Then it times ``recompute_tenant`` (the first run on a fresh tenant inserts
every alert; later runs write only what changed), ``recompute_for_workers`` for one and for ten workers (what every
contract change pays), the page's queries, the page through HTTP, and
EXPLAINs the first-page query.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from time import perf_counter
from typing import Any, cast

from sqlalchemy import CursorResult, text

from service.bench.common import Echo, explain, http_timings, line, measure, pad
from service.bench.roster import _ensure_tenant
from service.cities.actions import seed_reference
from service.compliance import listing
from service.compliance.check import describe
from service.compliance.engine import recompute_for_workers, recompute_tenant
from service.database.engines import app_engine, owner_engine
from service.keys import keys_for
from service.settings import Settings
from tenants.isolation import tenant_session

REPEAT = 10
TENANT_REPEAT = 3
ACKNOWLEDGED_SAMPLE = 500

# One statement each, set-based; hashtext() makes the spread repeatable.
_CITIES_AND_INSURANCE = """
update workers set
  city = (array['chengdu', 'chengdu', 'beijing', 'shanghai', 'hangzhou'])[1 + abs(hashtext(id::text)) % 5],
  si_registered_on = case when abs(hashtext(id::text || 'si')) % 40 = 0 then null
                          else hire_date + abs(hashtext(id::text || 'si')) % 25 end
where tenant_id = :t
"""
_CONTRACTS = """
insert into contracts (tenant_id, worker_id, contract_type, start_date, end_date, probation_end, probation_wage,
                       wage, post, bureau_id, signed_on, status, renewal_decision)
select w.tenant_id, w.id, 'fixed_term', s.start, (s.start + interval '3 years' - interval '1 day')::date,
       case when s.start = w.hire_date and abs(hashtext(w.id::text || 'p')) % 3 = 0
            then (s.start + interval '3 months' - interval '1 day')::date end,
       case when s.start = w.hire_date and abs(hashtext(w.id::text || 'p')) % 3 = 0
            then 2300 + abs(hashtext(w.id::text || 'pw')) % 800 end,
       3500 + abs(hashtext(w.id::text || 'w')) % 2500, w.post_line, w.bureau_id,
       s.start + abs(hashtext(w.id::text || 's')) % 20,
       case when s.start + interval '3 years' > current_date then 'signed' else 'renewed' end,
       case when s.start + interval '3 years' > current_date and abs(hashtext(w.id::text || 'r')) % 2 = 0
            then 'renew' else 'undecided' end
from workers w
cross join lateral (select g::date as start
                    from generate_series(w.hire_date::timestamp, current_date::timestamp, interval '3 years') g) s
where w.tenant_id = :t and w.status <> 'candidate' and abs(hashtext(w.id::text || 'c')) % 50 <> 0
"""


def _ensure_facts(settings: Settings, tenant_id: uuid.UUID, echo: Echo) -> None:
    with tenant_session(tenant_id) as db:
        seeded = seed_reference(db)
        has_contracts = db.execute(
            text("select exists (select 1 from contracts where tenant_id = :t)"), {"t": tenant_id}
        ).scalar()
        if has_contracts:
            echo(f"bench facts reused (city figures added: {seeded})")
            return
        started = perf_counter()
        db.execute(text(_CITIES_AND_INSURANCE), {"t": tenant_id})
        inserted = cast("CursorResult[Any]", db.execute(text(_CONTRACTS), {"t": tenant_id})).rowcount  # an INSERT's result
    echo(f"bench facts seeded: cities, insurance, {inserted:,} contracts in {perf_counter() - started:5.1f} s")
    with owner_engine(settings).begin() as conn:
        conn.execute(text("analyze workers, contracts, compliance_alerts"))


def _acknowledge_some(settings: Settings, tenant_id: uuid.UUID) -> None:
    """Some acknowledged alerts, as in real use (once: later runs keep them)."""
    with tenant_session(tenant_id) as db:
        db.execute(
            text(
                "update compliance_alerts set acknowledged_at = now(), acknowledged_by = 'bench',"
                " acknowledgement = 'bench' where tenant_id = :t and id in (select id from compliance_alerts"
                " where tenant_id = :t and open and acknowledged_at is null order by id limit :n)"
                " and not exists (select 1 from compliance_alerts where tenant_id = :t and acknowledged_at is not null)"
            ),
            {"t": tenant_id, "n": ACKNOWLEDGED_SAMPLE},
        )
    with owner_engine(settings).begin() as conn:
        conn.execute(text("analyze compliance_alerts"))


def _counts_line(echo: Echo, label: str, seconds: float, detail: str) -> None:
    echo(f"  {pad(label)} {seconds * 1000:9.1f} ms   {detail}")


def run(settings: Settings, workers: int, echo: Echo) -> None:
    if workers < 1:
        echo("--workers must be at least 1")
        return
    from datetime import date

    started = perf_counter()
    today = date.today()
    app_engine(settings)  # start the embedded server (if any) before timing anything
    slug = f"bench-{workers}"
    echo(f"compliance benchmark: {workers:,} workers, today {today.isoformat()}")
    tenant_id = _ensure_tenant(keys_for(settings), slug, workers, echo)
    _ensure_facts(settings, tenant_id, echo)

    echo("")
    echo("recompute_tenant (one tenant transaction, app role, RLS on):")
    for run_number in range(1 + TENANT_REPEAT):
        began = perf_counter()
        with tenant_session(tenant_id) as db:
            counts = recompute_tenant(db, today)
        _counts_line(echo, f"run {run_number + 1}", perf_counter() - began, describe(counts))
        if run_number == 0:
            _acknowledge_some(settings, tenant_id)
    began = perf_counter()
    with tenant_session(tenant_id) as db:
        counts = recompute_tenant(db, date.fromordinal(today.toordinal() + 1))
    _counts_line(echo, "next day (act-by and amounts move)", perf_counter() - began, describe(counts))
    with tenant_session(tenant_id) as db:
        recompute_tenant(db, today)  # back to today for the page timings

    with tenant_session(tenant_id) as db:
        ids = (
            db.execute(
                text("select id from workers where tenant_id = :t and status = 'active' order by id limit 10"),
                {"t": tenant_id},
            )
            .scalars()
            .all()
        )
    echo("")
    echo("recompute_for_workers (what every worker or contract change pays, in its transaction):")
    for label, chosen in (("1 worker", ids[:1]), ("10 workers", ids)):

        def one_change(chosen: Sequence[int] = chosen):
            with tenant_session(tenant_id) as db:
                return recompute_for_workers(db, chosen, today)

        times, counts = measure(one_change, REPEAT)
        line(echo, label, times, describe(counts))

    echo("")
    echo("compliance page queries (listing.alert_page):")
    with tenant_session(tenant_id) as db:
        first = listing.alert_page(db, listing.AlertFilter())
    cases = [
        ("first page", listing.AlertFilter(), 1),
        ("severity low", listing.AlertFilter(severity="low"), 1),
        ("rule contract_ending", listing.AlertFilter(rule="contract_ending"), 1),
        (f"last page ({first.pages})", listing.AlertFilter(), first.pages),
        ("acknowledged tab", listing.AlertFilter(tab=listing.ACKNOWLEDGED), 1),
    ]
    for label, f, page in cases:

        def read(f: listing.AlertFilter = f, page: int = page) -> listing.AlertPage:
            with tenant_session(tenant_id) as db:
                return listing.alert_page(db, f, page)

        times, result = measure(read, REPEAT)
        line(echo, label, times, f"{result.total:,} match, page {result.page}, {len(result.rows)} rows")

    echo("")
    echo("HTTP (TestClient, signed in as the tenant admin; includes session, template):")
    requests = (
        ("GET /compliance (first page)", ""),
        ("GET /compliance?severity=low", "?severity=low"),
        ("GET /compliance?rule=contract_ending", "?rule=contract_ending"),
        (f"GET /compliance?page={first.pages}", f"?page={first.pages}"),
        ("GET /compliance?tab=acknowledged", "?tab=acknowledged"),
    )
    http_timings(settings, echo, slug, "compliance", requests)

    echo("")
    echo("EXPLAIN (ANALYZE, BUFFERS), app role in a tenant transaction:")
    with tenant_session(tenant_id) as db:
        statement = text(
            listing._COLUMNS + " where a.tenant_id = :t and a.open and a.acknowledged_at is null and a.severity = :severity"
            " order by a.act_by, a.id limit 50 offset 0"
        ).bindparams(t=tenant_id, severity="high")
        echo(f"  {pad('first page (high)')} {explain(db, statement)}")
        counts_statement = text(
            "select a.severity, count(*) from compliance_alerts a where a.tenant_id = :t and a.open"
            " and a.acknowledged_at is null group by a.severity"
        ).bindparams(t=tenant_id)
        echo(f"  {pad('counts per severity')} {explain(db, counts_statement)}")
    echo("")
    echo(f"benchmark finished in {perf_counter() - started:.1f} s")

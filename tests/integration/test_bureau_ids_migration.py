"""Migration 0023: payroll runs and salary band tables that named a client bureau as text point at its record."""

from __future__ import annotations

import os
import uuid

from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from service.database.engines import drop_database, ensure_database
from service.database.migrate import _config, upgrade

KNOWN, UNKNOWN = "锦江区城管局", "已撤销的局"


def _as(db: Connection, tenant: uuid.UUID) -> None:
    db.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})  # FORCE'd RLS


# A table, its date column and the rows written at 0022: (tenant, date, bureau name or None).
TABLES = {"payroll_runs": "month", "salary_band_tables": "effective_from"}


def _named(db: Connection, table: str) -> list[tuple]:
    """The table's rows with their bureau's name, through the id."""
    day = TABLES[table]
    rows = db.execute(
        text(
            f"select r.tenant_id, r.{day}, b.name from {table} r"
            " left join client_bureaus b on b.tenant_id = r.tenant_id and b.id = r.bureau_id order by r.id"
        )
    ).fetchall()
    return [(t, d.isoformat(), n) for t, d, n in rows]


def test_bureau_names_become_ids_and_come_back(settings) -> None:
    """At 0022, runs name a bureau (a known one, one no record has, none); after 0023 they
    point at the tenant's record of that name (the unknown name becomes a record), null
    stays null; the downgrade writes the names back."""
    server = make_url(settings.database_url)
    name = f"paiqian_mig23_{os.getpid()}"
    drop_database(server, name)
    ensure_database(server, name)
    engine = create_engine(server.set(database=name))
    try:
        upgrade(engine, settings, "0022")
        a, b = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as db:
            db.execute(
                text("insert into tenants (id, slug, name) values (:a, 'mig-a', 'A'), (:b, 'mig-b', 'B')"), {"a": a, "b": b}
            )
            for tenant in (a, b):
                _as(db, tenant)
                db.execute(text("insert into client_bureaus (tenant_id, name) values (:t, :n)"), {"t": tenant, "n": KNOWN})
            rows = [(a, "2026-01-01", KNOWN), (a, "2026-02-01", UNKNOWN), (a, "2026-03-01", None), (b, "2026-01-01", KNOWN)]
            for table, day in TABLES.items():
                for tenant, when, bureau in rows:
                    _as(db, tenant)
                    db.execute(
                        text(f"insert into {table} (tenant_id, {day}, client_bureau) values (:t, :d, :b)"),
                        {"t": tenant, "d": when, "b": bureau},
                    )
        upgrade(engine, settings, "0023")
        with engine.begin() as db:
            forced = db.execute(
                text("select bool_and(relforcerowsecurity) from pg_class where relname = any(:t)"),
                {"t": [*TABLES, "client_bureaus"]},
            ).scalar()
            for table in (*TABLES, "client_bureaus"):  # read across tenants (as the owner)
                db.execute(text(f"alter table {table} no force row level security"))
            converted = {table: _named(db, table) for table in TABLES}
            bureaus = db.execute(text("select tenant_id, name from client_bureaus order by id")).fetchall()
            columns = set(
                db.execute(
                    text("select table_name || '.' || column_name from information_schema.columns where table_name = any(:t)"),
                    {"t": list(TABLES)},
                )
                .scalars()
                .all()
            )
            db.rollback()
        assert converted == dict.fromkeys(TABLES, rows)  # each tenant's row points at its own tenant's bureau
        assert sorted(bureaus) == sorted([(a, KNOWN), (b, KNOWN), (a, UNKNOWN)])  # one new record, made once
        for table in TABLES:
            assert f"{table}.client_bureau" not in columns and f"{table}.bureau_id" in columns
        assert forced is True
        with engine.begin() as connection:
            command.downgrade(_config(settings, connection), "0022")
        with engine.begin() as db:
            back = {}
            for table, day in TABLES.items():
                db.execute(text(f"alter table {table} no force row level security"))
                found = db.execute(text(f"select tenant_id, {day}, client_bureau from {table} order by id")).fetchall()
                back[table] = [(t, d.isoformat(), n) for t, d, n in found]
            db.rollback()
        assert back == dict.fromkeys(TABLES, rows)
    finally:
        engine.dispose()
        drop_database(server, name)

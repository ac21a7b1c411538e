"""Migrations 0024 and 0025: payroll runs, salary band tables and pay components (0024), assessment items,
assessment periods and grade campaigns (0025) that named a client bureau as text point at its record."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from service.database.engines import drop_database, ensure_database
from service.database.migrate import _config, upgrade

KNOWN, UNKNOWN = "锦江区城管局", "已撤销的局"


def _as(db: Connection, tenant: uuid.UUID) -> None:
    db.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})  # FORCE'd RLS


# Per migration: a table, its bureau column before it and its other required columns with a value (the row's own: {n}).
CONVERTED = {
    "0024": {
        "payroll_runs": ("client_bureau", "month", "'2026-0{n}-01'"),
        "salary_band_tables": ("client_bureau", "effective_from", "'2026-0{n}-01'"),
        "pay_components": ("applies_to_bureau", "code, label, kind, method, amount", "'c{n}', 'x', 'addition', 'fixed', 1"),
    },
    "0025": {
        "assessment_items": (
            "client_bureau",
            "code, name, category, min_points, max_points, effective_from",
            "'A0{n}', 'x', 'attendance', -1, -1, '2026-01-01'",
        ),
        "assessment_periods": (
            "client_bureau",
            "kind, name, starts_on, ends_on",
            "'monthly', 'p{n}', '2026-01-01', '2026-01-31'",
        ),
        "grade_campaigns": ("client_bureau", "name, evaluated_on, effective_from", "'c{n}', '2026-06-30', '2026-07-01'"),
    },
}


def _named(db: Connection, table: str) -> list[tuple]:
    """The table's rows (tenant, bureau's name) through the id, in order."""
    found = db.execute(
        text(
            f"select r.tenant_id, b.name from {table} r"
            " left join client_bureaus b on b.tenant_id = r.tenant_id and b.id = r.bureau_id order by r.id"
        )
    )
    return [tuple(row) for row in found]


@pytest.mark.parametrize("revision", sorted(CONVERTED))
def test_bureau_names_become_ids_and_come_back(settings, revision: str) -> None:
    """Before the migration, rows name a bureau (a known one, one no record has, none); after
    it they point at the tenant's record of that name (the unknown name becomes a record), null
    stays null; the downgrade writes the names back."""
    TABLES = CONVERTED[revision]
    previous = f"{int(revision) - 1:04d}"
    server = make_url(settings.database_url)
    name = f"paiqian_mig{revision}_{os.getpid()}"
    drop_database(server, name)
    ensure_database(server, name)
    engine = create_engine(server.set(database=name))
    try:
        upgrade(engine, settings, previous)
        a, b = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as db:
            db.execute(
                text("insert into tenants (id, slug, name) values (:a, 'mig-a', 'A'), (:b, 'mig-b', 'B')"), {"a": a, "b": b}
            )
            for tenant in (a, b):
                _as(db, tenant)
                db.execute(text("insert into client_bureaus (tenant_id, name) values (:t, :n)"), {"t": tenant, "n": KNOWN})
            rows = [(a, KNOWN), (a, UNKNOWN), (a, None), (b, KNOWN)]
            for table, (bureau_column, columns, values) in TABLES.items():
                for n, (tenant, bureau) in enumerate(rows, start=1):
                    _as(db, tenant)
                    db.execute(
                        text(
                            f"insert into {table} (tenant_id, {bureau_column}, {columns}) values (:t, :b, {values.format(n=n)})"
                        ),
                        {"t": tenant, "b": bureau},
                    )
        upgrade(engine, settings, revision)
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
        for table, (bureau_column, _, _) in TABLES.items():
            assert f"{table}.{bureau_column}" not in columns and f"{table}.bureau_id" in columns
        assert forced is True
        with engine.begin() as connection:
            command.downgrade(_config(settings, connection), previous)
        with engine.begin() as db:
            back = {}
            for table, (bureau_column, _, _) in TABLES.items():
                db.execute(text(f"alter table {table} no force row level security"))
                found = db.execute(text(f"select tenant_id, {bureau_column} from {table} order by id"))
                back[table] = [tuple(row) for row in found]
            db.rollback()
        assert back == dict.fromkeys(TABLES, rows)
    finally:
        engine.dispose()
        drop_database(server, name)

"""Migrations 0024, 0025 and 0028: payroll runs, salary band tables and pay components (0024), assessment
items, assessment periods and grade campaigns (0025), contracts and assessment results (0028) that named a
client bureau as text point at its record."""

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


def _database(settings, revision: str):
    """An empty database of its own for a migration's test: (engine, server URL, database name)."""
    server = make_url(settings.database_url)
    name = f"paiqian_mig{revision}_{os.getpid()}"
    drop_database(server, name)
    ensure_database(server, name)
    return create_engine(server.set(database=name)), server, name


@pytest.mark.parametrize("revision", sorted(CONVERTED))
def test_bureau_names_become_ids_and_come_back(settings, revision: str) -> None:
    """Before the migration, rows name a bureau (a known one, one no record has, none); after
    it they point at the tenant's record of that name (the unknown name becomes a record), null
    stays null; the downgrade writes the names back."""
    TABLES = CONVERTED[revision]
    previous = f"{int(revision) - 1:04d}"
    engine, server, name = _database(settings, revision)
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


OWN = "武侯区城管局"  # tenant A's worker's bureau


def test_contracts_and_results_name_bureaus_by_id_and_come_back(settings) -> None:
    """0028: contracts (a name, one no record has, a blank one) and assessment results (a name, an
    unknown one, '' for no group) point at the tenant's record of that name after it; the unknown name
    becomes one record, the blank contract takes its worker's bureau and the blank result no bureau
    (null); the downgrade writes the names back."""
    tables = ("contracts", "assessment_results")
    engine, server, name = _database(settings, "0028")
    try:
        upgrade(engine, settings, "0027")
        a, b = uuid.uuid4(), uuid.uuid4()
        workers = {}
        with engine.begin() as db:
            db.execute(
                text("insert into tenants (id, slug, name) values (:a, 'mig-a', 'A'), (:b, 'mig-b', 'B')"), {"a": a, "b": b}
            )
            for tenant, own in ((a, OWN), (b, KNOWN)):
                _as(db, tenant)
                for bureau in dict.fromkeys((KNOWN, own)):
                    db.execute(text("insert into client_bureaus (tenant_id, name) values (:t, :n)"), {"t": tenant, "n": bureau})
                workers[tenant] = db.execute(
                    text(
                        "insert into workers (tenant_id, name, id_number_cipher, id_number_index, id_number_masked, gender,"
                        " birth_date, education, hire_date, status, post_line, bureau_id, grade)"
                        " select :t, '王一', '\\x00', '\\x01', '510107********0011', 'male', '1990-01-01', 'bachelor',"
                        " '2024-01-01', 'active', '巡查', id, 3 from client_bureaus where name = :own returning id"
                    ),
                    {"t": tenant, "own": own},
                ).scalar_one()
            contracts = [(a, KNOWN), (a, UNKNOWN), (a, "  "), (b, KNOWN)]
            results = [(a, KNOWN), (a, UNKNOWN), (a, ""), (b, KNOWN)]
            for n, ((tenant, contracted), (_, ranked)) in enumerate(zip(contracts, results, strict=True), start=1):
                _as(db, tenant)
                row = {"t": tenant, "w": workers[tenant], "c": contracted, "r": ranked, "p": f"p{n}", "y": 2020 + n}
                db.execute(
                    text(
                        "insert into contracts (tenant_id, worker_id, contract_type, start_date, wage, post, client_bureau)"
                        " values (:t, :w, 'open_ended', make_date(:y, 1, 1), 4000, '巡查', :c)"
                    ),
                    row,
                )
                db.execute(
                    text(
                        "with p as (insert into assessment_periods (tenant_id, kind, name, starts_on, ends_on)"
                        " values (:t, 'monthly', :p, make_date(:y, 1, 1), make_date(:y, 1, 31)) returning id)"
                        " insert into assessment_results (tenant_id, period_id, worker_id, score, rating, bureau)"
                        " select :t, p.id, :w, 80, 'meets', :r from p"
                    ),
                    row,
                )
        upgrade(engine, settings, "0028")
        with engine.begin() as db:
            forced = db.execute(
                text("select bool_and(relforcerowsecurity) from pg_class where relname = any(:t)"),
                {"t": [*tables, "workers", "client_bureaus"]},
            ).scalar()
            for table in (*tables, "client_bureaus"):  # read across tenants (as the owner)
                db.execute(text(f"alter table {table} no force row level security"))
            converted = {table: _named(db, table) for table in tables}
            bureaus = db.execute(text("select tenant_id, name from client_bureaus order by id")).fetchall()
            columns = dict(
                db.execute(
                    text(
                        "select table_name || '.' || column_name, is_nullable from information_schema.columns"
                        " where table_name = any(:t)"
                    ),
                    {"t": list(tables)},
                ).fetchall()
            )
            db.rollback()
        assert converted == {
            "contracts": [(a, KNOWN), (a, UNKNOWN), (a, OWN), (b, KNOWN)],  # the blank one: its worker's bureau
            "assessment_results": [(a, KNOWN), (a, UNKNOWN), (a, None), (b, KNOWN)],
        }
        assert sorted(bureaus) == sorted([(a, KNOWN), (a, OWN), (b, KNOWN), (a, UNKNOWN)])  # one new record, made once
        assert "contracts.client_bureau" not in columns and "assessment_results.bureau" not in columns
        assert (columns["contracts.bureau_id"], columns["assessment_results.bureau_id"]) == ("NO", "YES")
        assert forced is True
        with engine.begin() as connection:
            command.downgrade(_config(settings, connection), "0027")
        with engine.begin() as db:
            back = {}
            for table, column in (("contracts", "client_bureau"), ("assessment_results", "bureau")):
                db.execute(text(f"alter table {table} no force row level security"))
                found = db.execute(text(f"select tenant_id, {column} from {table} order by id"))
                back[table] = [tuple(row) for row in found]
            db.rollback()
        assert back == {
            "contracts": [(a, KNOWN), (a, UNKNOWN), (a, OWN), (b, KNOWN)],
            "assessment_results": [(a, KNOWN), (a, UNKNOWN), (a, ""), (b, KNOWN)],
        }
    finally:
        engine.dispose()
        drop_database(server, name)

"""Row-level security is the last line of defence between tenants.

These tests talk to PostgreSQL as the app role, with no tenant filter in the
SQL, so only the database policy stands between the tenants.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from service.database.engines import app_engine, app_url
from service.settings import Settings
from tenants.isolation import CONTROL_PLANE_TABLES, control_session, tenant_session
from tests.support.factories import make_worker


@pytest.fixture()
def two_tenants(tenant, other_tenant, settings: Settings):
    make_worker(settings, tenant, name="甲公司员工")
    make_worker(settings, other_tenant, name="乙公司员工")
    make_worker(settings, other_tenant, name="乙公司员工二")
    return tenant, other_tenant


def test_app_role_is_neither_superuser_nor_bypassrls(settings: Settings) -> None:
    with app_engine(settings).connect() as connection:
        row = connection.execute(
            text("select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user")
        ).one()
    assert tuple(row) == (False, False, False, False)


def test_a_query_without_tenant_filter_sees_only_the_current_tenant(two_tenants) -> None:
    first, second = two_tenants
    with tenant_session(first.id) as db:
        names = db.execute(text("select name from workers")).scalars().all()
        users = db.execute(text("select count(*) from staff_users")).scalar()
    assert names == ["甲公司员工"]
    assert users == 1
    with tenant_session(second.id) as db:
        assert sorted(db.execute(text("select name from workers")).scalars()) == ["乙公司员工", "乙公司员工二"]


def test_an_insert_naming_another_tenant_is_refused(two_tenants) -> None:
    first, second = two_tenants
    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(first.id) as db:
        db.execute(
            text(
                "insert into staff_users (tenant_id, email, display_name, password_hash, role) "
                "values (:t, 'x@y.z', 'x', 'x', 'viewer')"
            ),
            {"t": second.id},
        )


def test_an_update_moving_a_row_to_another_tenant_is_refused(two_tenants) -> None:
    first, second = two_tenants
    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(first.id) as db:
        db.execute(text("update workers set tenant_id = :t"), {"t": second.id})


def test_updates_and_deletes_cannot_reach_another_tenants_rows(two_tenants) -> None:
    first, second = two_tenants
    with tenant_session(first.id) as db:
        assert db.execute(text("update workers set name = '改名' where tenant_id = :t"), {"t": second.id}).rowcount == 0
        assert db.execute(text("delete from workers where tenant_id = :t"), {"t": second.id}).rowcount == 0
    with tenant_session(second.id) as db:
        assert db.execute(text("select count(*) from workers where name = '改名'")).scalar() == 0
        assert db.execute(text("select count(*) from workers")).scalar() == 2


def test_with_no_tenant_set_nothing_is_visible_or_writable(two_tenants, settings: Settings) -> None:
    first, _ = two_tenants
    with control_session() as db:
        for table in ("workers", "staff_users", "audit_log"):
            assert db.execute(text(f"select count(*) from {table}")).scalar() == 0
    # A raw connection of the app role, outside the session class, is no different.
    with app_engine(settings).connect() as connection:
        assert connection.execute(text("select count(*) from workers")).scalar() == 0
        with pytest.raises(DBAPIError, match="row-level security"):
            connection.execute(
                text(
                    "insert into staff_users (tenant_id, email, display_name, password_hash, role) "
                    "values (:t, 'x@y.z', 'x', 'x', 'viewer')"
                ),
                {"t": first.id},
            )


@pytest.mark.usefixtures("db_clean")  # its own engine: it must see committed rows
def test_a_pooled_connection_carries_nothing_to_the_next_tenant(two_tenants, settings: Settings) -> None:
    """One pooled connection serves tenant A, then tenant B, then no tenant."""
    first, second = two_tenants
    engine: Engine = create_engine(app_url(settings, _owner_url(settings)), pool_size=1, max_overflow=0)
    try:
        with tenant_session(first.id, engine) as db:
            backend = db.execute(text("select pg_backend_pid()")).scalar()
            assert db.execute(text("select count(*) from workers")).scalar() == 1
        with tenant_session(second.id, engine) as db:
            assert db.execute(text("select pg_backend_pid()")).scalar() == backend  # the same connection
            assert db.execute(text("select count(*) from workers")).scalar() == 2
        with control_session(engine) as db:
            assert db.execute(text("select pg_backend_pid()")).scalar() == backend
            assert db.execute(text("select current_setting('app.tenant_id', true)")).scalar() in ("", None)
            assert db.execute(text("select count(*) from workers")).scalar() == 0
        with engine.connect() as connection:  # even a plain connection, no hook at all
            assert connection.execute(text("select count(*) from workers")).scalar() == 0
    finally:
        engine.dispose()


@pytest.mark.usefixtures("db_clean")  # its own engine: it must see committed rows
def test_an_error_mid_transaction_leaves_no_tenant_behind(two_tenants, settings: Settings) -> None:
    first, _ = two_tenants
    engine = create_engine(app_url(settings, _owner_url(settings)), pool_size=1, max_overflow=0)
    try:
        with pytest.raises(ZeroDivisionError), tenant_session(first.id, engine) as db:
            db.execute(text("select 1"))
            raise ZeroDivisionError
        with engine.connect() as connection:
            assert connection.execute(text("select count(*) from workers")).scalar() == 0
    finally:
        engine.dispose()


def test_every_table_has_forced_rls_or_is_declared_control_plane(owner: Engine) -> None:
    """Walks the catalog: a new table without a policy fails the suite."""
    with owner.connect() as connection:
        rows = connection.execute(
            text(
                """
                select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                       exists (select 1 from pg_attribute a where a.attrelid = c.oid
                               and a.attname = 'tenant_id' and not a.attisdropped) as has_tenant,
                       (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where n.nspname = 'public' and c.relkind in ('r', 'p')
                """
            )
        ).all()
    assert rows, "no tables found"
    for name, enabled, forced, has_tenant, policies in rows:
        if name in CONTROL_PLANE_TABLES:
            continue
        assert has_tenant, f"{name} has no tenant_id column"
        assert enabled and forced, f"{name} lacks ENABLE + FORCE ROW LEVEL SECURITY"
        assert policies >= 1, f"{name} has no policy"


def test_every_tenant_policy_reads_the_setting_with_nullif(owner: Engine) -> None:
    with owner.connect() as connection:
        policies = connection.execute(
            text("select tablename, qual, with_check from pg_policies where schemaname = 'public'")
        ).all()
    assert policies
    for table, using, check in policies:
        for expression in (using, check):
            assert "nullif(current_setting('app.tenant_id'::text, true), ''::text)" in expression.lower(), (table, expression)


def test_tenant_keys_and_foreign_keys_include_tenant_id(owner: Engine) -> None:
    with owner.connect() as connection:
        constraints = connection.execute(
            text(
                """
                select c.conrelid::regclass::text, c.contype, c.conname,
                       array(select a.attname from unnest(c.conkey) k join pg_attribute a
                             on a.attrelid = c.conrelid and a.attnum = k)::text[] as columns,
                       c.confrelid::regclass::text
                from pg_constraint c join pg_namespace n on n.oid = c.connamespace
                where n.nspname = 'public' and c.contype in ('p', 'u', 'f')
                """
            )
        ).all()
    for table, kind, name, columns, referenced in constraints:
        if table in CONTROL_PLANE_TABLES:
            continue
        if kind == "f" and referenced == "tenants":
            continue  # the tenant itself
        assert "tenant_id" in columns, f"{table}.{name} ({kind}) does not include tenant_id"


def test_the_audit_log_is_append_only_for_the_app(tenant, settings: Settings) -> None:
    make_worker(settings, tenant)
    with tenant_session(tenant.id) as db:
        before = db.execute(text("select count(*), max(action) from audit_log")).one()
    assert before[0] >= 2  # the administrator's creation and the worker's
    for statement in ("update audit_log set action = 'x'", "delete from audit_log", "truncate audit_log"):
        with pytest.raises(DBAPIError, match="permission denied"), tenant_session(tenant.id) as db:
            db.execute(text(statement))
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*), max(action) from audit_log")).one() == before


def test_control_plane_tables_are_the_declared_ones(owner: Engine) -> None:
    with owner.connect() as connection:
        unprotected = set(
            connection.execute(
                text(
                    "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = 'public' and relkind = 'r' and not relforcerowsecurity"
                )
            ).scalars()
        )
    assert unprotected == set(CONTROL_PLANE_TABLES)


def _owner_url(settings: Settings):
    from service.database.engines import owner_url

    return owner_url(settings)


def test_random_tenant_ids_see_nothing(two_tenants) -> None:
    with tenant_session(uuid.uuid4()) as db:
        assert db.execute(text("select count(*) from workers")).scalar() == 0

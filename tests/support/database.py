"""A real PostgreSQL for the suite.

Once per run: a fresh database named after the process (on the server
DATABASE_URL names, else on the embedded server under .data/), upgraded from
empty by the Alembic migrations, which is itself the migrations' test.
The database is dropped at the end of the run.

Each test starts from an empty schema.  An ordinary test (``database``,
which ``tenant``, ``other_tenant`` and ``client`` ask for) commits nothing:
every session the app opens, for its requests or the factories, is a
savepoint on one connection of the app role that is rolled back at the end
(``tenants.isolation.joined_to``).  A test that needs committed data asks
for ``db_clean`` instead (a module: ``pytestmark =
pytest.mark.usefixtures("db_clean")``), and every table is truncated after
it: data another connection must see (the job worker, worker processes, the
browser's server, reads through ``owner`` or ``superuser``, the roles' own
tests), a nested session's own commit (sign-in failures counted although the
request rolls back), or ``now()`` moving between two transactions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from service.database.embedded import start_embedded
from service.database.engines import app_engine, drop_database, ensure_database, owner_engine
from service.database.migrate import upgrade
from service.settings import Settings, get_settings, load_settings
from tenants.isolation import joined_to


def _server_url():
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return make_url(configured).set(drivername="postgresql+psycopg")
    return start_embedded(load_settings().data_dir)


@contextmanager
def _one_migration_at_a_time(server: URL) -> Iterator[Connection]:
    """Parallel test processes (pytest -n) each migrate their own database, but the roles the migrations
    create belong to the whole server: two ``create role`` at once collide.  An advisory lock in the
    server's maintenance database (advisory locks are per database) lets one process migrate at a time."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as connection:
        connection.execute(text("select pg_advisory_lock(hashtext('paiqian test migrations'))"))
        try:
            yield connection
        finally:
            connection.execute(text("select pg_advisory_unlock(hashtext('paiqian test migrations'))"))
    engine.dispose()


@pytest.fixture(scope="session")
def settings() -> Iterator[Settings]:
    server = _server_url()
    name = f"paiqian_test_{os.getpid()}"
    test_url = server.set(database=name)
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = test_url.render_as_string(hide_password=False)
    get_settings.cache_clear()
    settings = get_settings()
    with _one_migration_at_a_time(server) as on_server:
        drop_database(server, name)
        ensure_database(server, name)
        # A commit need not wait for the disk: the database is dropped at the end of the run anyway.
        on_server.execute(text(f'alter database "{name}" set synchronous_commit = off'))
        upgrade(owner_engine(settings), settings)
    yield settings
    owner_engine(settings).dispose()
    app_engine(settings).dispose()
    drop_database(server, name)
    if saved is None:
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = saved
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def owner(settings: Settings) -> Engine:
    """The migration owner's engine, for tests that inspect or reset the schema."""
    return owner_engine(settings)


@pytest.fixture(scope="session")
def superuser(settings: Settings) -> Iterator[Engine]:
    engine = create_engine(make_url(settings.database_url), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture()
def db_clean(superuser: Engine) -> Iterator[None]:
    """Empty every table after the test (the schema stays), but the job workers' registrations:
    a running worker's row must outlive the test (its jobs point at it)."""
    yield
    with superuser.connect() as connection:
        tables = (
            connection.execute(
                text(
                    "select tablename from pg_tables where schemaname = 'public'"
                    " and tablename not in ('alembic_version', 'procrastinate_workers')"
                )
            )
            .scalars()
            .all()
        )
        connection.execute(text(f"truncate {', '.join(tables)} restart identity cascade"))


@pytest.fixture()
def database(request: pytest.FixtureRequest, settings: Settings) -> Iterator[None]:
    """Where the test's writes go: committed and truncated after it if it asks for ``db_clean``,
    else into one transaction rolled back at the end."""
    if "db_clean" in request.fixturenames:
        request.getfixturevalue("db_clean")
        yield
        return
    with app_engine(settings).connect() as connection:
        transaction = connection.begin()
        try:
            with joined_to(connection):
                yield
        finally:
            transaction.rollback()

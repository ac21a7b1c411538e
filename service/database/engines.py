"""The two engines: the owner's (migrations, provisioning) and the app's (requests).

Requests only ever use the app role, which has neither SUPERUSER nor
BYPASSRLS, so row-level security applies to every query they make.

Each process creates its engines once, under a lock: the web server does it as it
starts (``service.app``), before any request, and anything else on first use.
Without the lock, threads of a cold server each started the embedded database
and created engines of their own at once, and some of the first requests failed.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

from service.database.embedded import start_embedded
from service.settings import Settings, get_settings

EMBEDDED_DATABASE = "paiqian"


def owner_url(settings: Settings) -> URL:
    """The URL migrations run with; starts the embedded server when needed."""
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        return url
    server = start_embedded(settings.data_dir)
    ensure_database(server, EMBEDDED_DATABASE)
    return server.set(database=EMBEDDED_DATABASE)


def app_url(settings: Settings, owner: URL) -> URL:
    """The app role's URL: explicit, or the owner's with the app role swapped in."""
    if settings.app_database_url:
        url = make_url(settings.app_database_url)
        return url.set(drivername="postgresql+psycopg")
    return owner.set(username=settings.app_role, password=settings.app_role_password)


def ensure_database(server: URL, name: str) -> None:
    """Create a database on the server if it does not exist yet."""
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("select 1 from pg_database where datname = :name"), {"name": name}).scalar()
            if not exists:
                conn.execute(text(f'create database "{name}"'))
    finally:
        engine.dispose()


def drop_database(server: URL, name: str) -> None:
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'drop database if exists "{name}" with (force)'))
    finally:
        engine.dispose()


_created: dict[Settings, tuple[Engine, Engine]] = {}
_creating = threading.Lock()


def _engines(settings: Settings) -> tuple[Engine, Engine]:
    engines = _created.get(settings)
    if engines is None:
        with _creating:
            engines = _created.get(settings)
            if engines is None:
                engines = _created[settings] = _create(settings)
    return engines


def _create(settings: Settings) -> tuple[Engine, Engine]:
    owner = owner_url(settings)
    owner_engine = create_engine(owner, pool_pre_ping=True)
    app_engine = create_engine(app_url(settings, owner), pool_size=settings.pool_size)
    _ping_when_idle(app_engine)
    return owner_engine, app_engine


# The app role's pool pings a connection before lending it only when it has lain idle this long.  A ping
# on every checkout (``pool_pre_ping``) costs two round trips (psycopg's BEGIN and the SELECT 1) before
# every request and every job; what it guards against is mostly a connection that has idled past a
# server's or a proxy's timeout.  A connection dropped while busy (the server restarted) fails its first
# statement instead: a request retries it once (service.web.middleware), and the failure makes the pool
# discard every connection older than it.
IDLE_BEFORE_PING = 30.0  # seconds
_CHECKED_IN = "checked_in_at"


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def checked_in(dbapi_connection, record) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checking_out(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get(_CHECKED_IN, 0.0) < IDLE_BEFORE_PING:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError() from error  # the pool replaces the connection and checks out again


def owner_engine(settings: Settings | None = None) -> Engine:
    return _engines(settings or get_settings())[0]


def app_engine(settings: Settings | None = None) -> Engine:
    return _engines(settings or get_settings())[1]

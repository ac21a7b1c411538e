"""The two engines: the owner's (migrations, provisioning) and the app's (requests).

Requests only ever use the app role, which has neither SUPERUSER nor
BYPASSRLS, so row-level security applies to every query they make.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

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


@lru_cache(maxsize=4)
def _engines(settings: Settings) -> tuple[Engine, Engine]:
    owner = owner_url(settings)
    owner_engine = create_engine(owner, pool_pre_ping=True)
    app_engine = create_engine(app_url(settings, owner), pool_size=settings.pool_size, pool_pre_ping=True)
    return owner_engine, app_engine


def owner_engine(settings: Settings | None = None) -> Engine:
    return _engines(settings or get_settings())[0]


def app_engine(settings: Settings | None = None) -> Engine:
    return _engines(settings or get_settings())[1]

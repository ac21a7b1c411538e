"""The one place a tenant is bound to a database transaction.

Every session the app opens is a ``TenantSession``.  When it begins a
transaction, the ``after_begin`` hook below sets ``app.tenant_id`` with
``set_config(..., true)``: local to that transaction, so it vanishes at
commit or rollback and a pooled connection carries nothing to the next
request.  The row-level security policies created by the migrations compare
each row's ``tenant_id`` with that setting; with no tenant set, nothing is
visible and nothing can be written.

A request's transaction (``request_transaction``) is bound by the tenant's
slug instead of its id: the statement that binds it also reads the tenant's
row and the request's session row (both platform tables, which row-level
security does not filter), so a page starts with one statement, not a lookup
transaction before its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, Text, cast, event, func, literal, select, text
from sqlmodel import Session

from service.database.engines import app_engine
from tenants.models import Tenant, WebSession

TENANT_SETTING = "app.tenant_id"

# Global tables: no tenant_id, no RLS.  The catalog test fails on any other
# table without FORCE ROW LEVEL SECURITY.
CONTROL_PLANE_TABLES = frozenset(
    {"alembic_version", "tenants", "platform_operators", "web_sessions", "sign_in_failures"}
    # migration 0020: plans and each tenant's billing row (found by Stripe customer
    # before any tenant is known), webhook events, and the record of deleted tenants
    | {"plans", "tenant_billing", "stripe_events", "tenant_deletions"}
    # migration 0022: the job queue (procrastinate's own tables).  Platform tables: a job names its
    # tenant in its arguments and its task binds its transaction here, with ``tenant_session``.
    | {"procrastinate_jobs", "procrastinate_events", "procrastinate_periodic_defers", "procrastinate_workers"}
)


class TenantSession(Session):
    """A session whose every transaction is bound to ``info['tenant_id']`` (or to none)."""

    @property
    def tenant_id(self) -> uuid.UUID:
        tenant_id = self.info.get("tenant_id")
        if tenant_id is None:
            raise RuntimeError("this session is not bound to a tenant")
        return tenant_id


_BY_SLUG = "bind_by_slug"  # in a request session's info until its first transaction: (slug, session token hash)
_FOUND = "found_by_binding"  # then: what the binding statement read, (tenant, web session)


@event.listens_for(TenantSession, "after_begin")
def _bind_transaction_to_tenant(session, transaction, connection) -> None:
    by_slug = session.info.pop(_BY_SLUG, None)
    if by_slug is None:
        _bind(connection, session.info.get("tenant_id"))
        return
    tenant, web_session = _bind_by_slug(connection, *by_slug)
    # Later transactions of the same session (after a commit) bind to the same tenant by id.
    session.info["tenant_id"] = tenant.id if tenant else None
    session.info[_FOUND] = (tenant, web_session)


def _bind(connection: Connection, tenant_id: uuid.UUID | None) -> None:
    connection.execute(
        text("select set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id) if tenant_id else ""},
    )


_TENANTS = Tenant.__table__  # type: ignore[attr-defined]
_SESSIONS = WebSession.__table__  # type: ignore[attr-defined]


def _bind_by_slug(
    connection: Connection, slug: str | None, token_hash: bytes | None
) -> tuple[Tenant | None, WebSession | None]:
    """Bind the transaction to the tenant whose slug is given (to none if there is no such tenant, or no
    slug), reading in the same statement that tenant's row and the session row of the token's hash.

    One row always comes back (the left joins hang off a one-row ``select 1``), so ``set_config`` runs
    exactly once; the tables read are platform tables, so the order in which PostgreSQL evaluates the
    binding and the reads does not matter.  Both rows are read fresh: a suspended tenant or a revoked
    session counts from the next request on."""
    one = select(literal(1).label("one")).subquery()
    tenant_id_text = func.coalesce(cast(_TENANTS.c.id, Text), "")
    statement = select(func.set_config(TENANT_SETTING, tenant_id_text, True), *_TENANTS.c, *_SESSIONS.c).select_from(
        one.outerjoin(_TENANTS, _TENANTS.c.slug == slug).outerjoin(_SESSIONS, _SESSIONS.c.token_hash == token_hash)
    )
    row = connection.execute(statement).one()._mapping
    tenant = Tenant(**{c.key: row[c] for c in _TENANTS.c}) if row[_TENANTS.c.id] is not None else None
    web_session = WebSession(**{c.key: row[c] for c in _SESSIONS.c}) if row[_SESSIONS.c.token_hash] is not None else None
    return tenant, web_session


# The test harness's connection (``joined_to``); None everywhere else.  A context variable, not a global:
# Litestar's test client and its worker threads run in copies of the test's context, so the requests a
# test makes join its connection, while the job worker's threads (started outside it) never do.
_joined: ContextVar[Connection | None] = ContextVar("tenants_isolation_joined", default=None)
_BINDINGS = "tenant_bindings"  # in the joined connection's info: the tenant of each session open on it


@contextmanager
def joined_to(connection: Connection) -> Iterator[None]:
    """For tests only: every session opened on the app engine in this context becomes a savepoint on
    ``connection`` (begun by the caller, and rolled back by it at the end), so nothing is ever committed.

    Each session still binds its tenant when it begins.  ``set_config(..., true)`` is local to the whole
    transaction, not to a savepoint, so when a session nested in another (a sign-in's ``control_session``
    inside the request's) ends, the enclosing session's tenant is bound again, as its own connection
    would have kept it.  What savepoints cannot imitate is a nested session's independent commit: its
    writes are undone when the enclosing session rolls back.  Tests of that, and of anything another
    connection must see, use committed data instead (``db_clean`` in the tests)."""
    token = _joined.set(connection)
    try:
        yield
    finally:
        _joined.reset(token)


@contextmanager
def _committed(session: TenantSession) -> Iterator[TenantSession]:
    """Commit on success, roll back on error.  Not ``session.begin()``: a request's transaction is committed
    by the request's ``db`` dependency before the response goes out, and then once more (usually with
    nothing left to do) when the request ends."""
    with session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


@contextmanager
def _transaction(info: dict, engine) -> Iterator[TenantSession]:
    joined = _joined.get() if engine is None else None
    if joined is None:
        with _committed(TenantSession(engine or app_engine(), info=info, expire_on_commit=False)) as session:
            yield session
        return
    bindings = joined.info.setdefault(_BINDINGS, [])
    session = TenantSession(joined, join_transaction_mode="create_savepoint", info=info, expire_on_commit=False)
    bindings.append(session.info)  # not ``info`` (the session copies it): a request session learns its tenant as it binds
    try:
        with _committed(session):
            yield session
    finally:
        bindings.pop()
        if bindings:
            _bind(joined, bindings[-1].get("tenant_id"))


@contextmanager
def tenant_session(tenant_id: uuid.UUID, engine=None) -> Iterator[TenantSession]:
    """One transaction for one tenant: commits on success, rolls back on error."""
    with _transaction({"tenant_id": tenant_id}, engine) as session:
        yield session


@contextmanager
def control_session(engine=None) -> Iterator[TenantSession]:
    """One transaction with no tenant: control-plane tables only."""
    with _transaction({}, engine) as session:
        yield session


@contextmanager
def request_transaction(slug: str | None, token_hash: bytes | None) -> Iterator[TenantSession]:
    """A request's one transaction, bound to the tenant of the slug in its path (or to none: pages outside
    every tenant, or an unknown slug).  ``found_by_binding`` gives what the binding read."""
    info: dict = {_BY_SLUG: (slug, token_hash)} if slug or token_hash else {}
    with _transaction(info, None) as session:
        yield session


def found_by_binding(session: TenantSession) -> tuple[Tenant | None, WebSession | None]:
    """The tenant of the request's slug and the session row of its token (None when there is none), as read
    by the statement that bound the session's transaction; begins that transaction if it has not begun."""
    if _BY_SLUG in session.info:
        session.connection()  # begins the transaction: the after_begin hook binds it and reads both rows
    return session.info.get(_FOUND, (None, None))

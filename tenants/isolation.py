"""The one place a tenant is bound to a database transaction.

Every session the app opens is a ``TenantSession``.  When it begins a
transaction, the ``after_begin`` hook below sets ``app.tenant_id`` with
``set_config(..., true)``: local to that transaction, so it vanishes at
commit or rollback and a pooled connection carries nothing to the next
request.  The row-level security policies created by the migrations compare
each row's ``tenant_id`` with that setting; with no tenant set, nothing is
visible and nothing can be written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import Connection, event, text
from sqlmodel import Session

from service.database.engines import app_engine

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


@event.listens_for(TenantSession, "after_begin")
def _bind_transaction_to_tenant(session, transaction, connection) -> None:
    _bind(connection, session.info.get("tenant_id"))


def _bind(connection: Connection, tenant_id: uuid.UUID | None) -> None:
    connection.execute(
        text("select set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id) if tenant_id else ""},
    )


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
def _transaction(info: dict, engine) -> Iterator[TenantSession]:
    joined = _joined.get() if engine is None else None
    if joined is None:
        with TenantSession(engine or app_engine(), info=info, expire_on_commit=False) as session, session.begin():
            yield session
        return
    bindings = joined.info.setdefault(_BINDINGS, [])
    bindings.append(info.get("tenant_id"))
    try:
        with (
            TenantSession(joined, join_transaction_mode="create_savepoint", info=info, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
    finally:
        bindings.pop()
        if bindings:
            _bind(joined, bindings[-1])


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

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

from sqlalchemy import event, text
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
    tenant_id = session.info.get("tenant_id")
    connection.execute(
        text("select set_config(:name, :value, true)"),
        {"name": TENANT_SETTING, "value": str(tenant_id) if tenant_id else ""},
    )


@contextmanager
def tenant_session(tenant_id: uuid.UUID, engine=None) -> Iterator[TenantSession]:
    """One transaction for one tenant: commits on success, rolls back on error."""
    with (
        TenantSession(engine or app_engine(), info={"tenant_id": tenant_id}, expire_on_commit=False) as session,
        session.begin(),
    ):
        yield session


@contextmanager
def control_session(engine=None) -> Iterator[TenantSession]:
    """One transaction with no tenant: control-plane tables only."""
    with TenantSession(engine or app_engine(), info={}, expire_on_commit=False) as session, session.begin():
        yield session

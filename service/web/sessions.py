"""Server-side sessions in PostgreSQL.

The cookie holds a random token; the table holds only its SHA-256, with an
idle and an absolute expiry.  Signing in always creates a new token (the old
one is deleted), so a session id planted before sign-in is worthless after.

It writes outside any ``actions.py`` on purpose: a session is the request pipeline's own state,
not business data, so it has no audit row.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col

from service.settings import Settings
from tenants.models import WebSession

COOKIE = "pq_session"
TOUCH_EVERY = timedelta(minutes=1)  # don't write on every request


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start(
    db: Session,
    settings: Settings,
    *,
    tenant_id: uuid.UUID | None,
    principal_kind: str,
    principal_id: int,
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    now = now or datetime.now(UTC)
    if replacing:
        end(db, replacing)
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=_hash(token),
            tenant_id=tenant_id,
            principal_kind=principal_kind,
            principal_id=principal_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    return token


def token_hash(token: str | None) -> bytes | None:
    """What the table keeps of a cookie token (None without a cookie)."""
    return _hash(token) if token else None


def live(db: Session, settings: Settings, session: WebSession | None, now: datetime | None = None) -> WebSession | None:
    """The session row read for a cookie (``tenants.isolation.found_by_binding``) if it is still live, else None;
    an expired one is deleted.  Its last-seen time moves at most once a minute (``TOUCH_EVERY``): the idle
    expiry is counted in hours, and a write on every page would cost a statement on every page."""
    if session is None:
        return None
    now = now or datetime.now(UTC)
    by_token = col(WebSession.token_hash) == session.token_hash
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_limit:
        db.execute(delete(WebSession).where(by_token))
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        db.execute(update(WebSession).where(by_token).values(last_seen_at=now))
    return session


def end(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(col(WebSession.token_hash) == _hash(token)))


def end_all_for(db: Session, tenant_id: uuid.UUID, principal_kind: str, principal_id: int) -> None:
    db.execute(
        delete(WebSession).where(
            col(WebSession.tenant_id) == tenant_id,
            col(WebSession.principal_kind) == principal_kind,
            col(WebSession.principal_id) == principal_id,
        )
    )
